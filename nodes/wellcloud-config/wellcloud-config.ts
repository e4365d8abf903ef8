/**
 * wellcloud-config: holds the platform address and credentials, owns the one client (and so the
 * one token) shared by every node that uses it, and serves the editor's "Test connection" button.
 */
import { WellcloudClient } from '../../lib/client';
import { WellcloudError } from '../../lib/errors';
import type { Lang } from '../../lib/i18n';
import type { TokenStyle } from '../../lib/types';
import { runtimeLang, type WellcloudServer } from '../shared/action';
import type { HttpRequest, HttpResponse, Node, NodeAPI, NodeDef } from '../shared/types';

const DEFAULT_BASE_URL = 'https://jdc.welljoint.com:8090';
const TOKEN_STYLES: readonly TokenStyle[] = ['json', 'query', 'form'];
/** What the editor sends back for a password credential it was not shown. */
const UNCHANGED_PASSWORD = '__PWRD__';

interface ConfigDef extends NodeDef {
  baseUrl?: string;
  domain?: string;
  tenantId?: string;
  timezone?: string;
  timeout?: string | number;
  tokenStyle?: string;
}

interface Credentials {
  appId?: string;
  appSecret?: string;
  apiKey?: string;
}

function toTimeout(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 30000;
}

function toTokenStyle(v: unknown): TokenStyle {
  return TOKEN_STYLES.includes(v as TokenStyle) ? (v as TokenStyle) : 'json';
}

function validTimezone(v: unknown): string {
  if (typeof v !== 'string' || !v.trim()) return 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v.trim() });
    return v.trim();
  } catch {
    return 'Asia/Shanghai';
  }
}

function makeClient(def: { baseUrl?: unknown; timeout?: unknown; tokenStyle?: unknown }, creds: Credentials, lang: Lang): WellcloudClient {
  return new WellcloudClient({
    baseUrl: typeof def.baseUrl === 'string' && def.baseUrl.trim() ? def.baseUrl.trim() : DEFAULT_BASE_URL,
    appId: creds.appId ?? '',
    appSecret: creds.appSecret ?? '',
    apiKey: creds.apiKey ?? '',
    timeout: toTimeout(def.timeout),
    tokenStyle: toTokenStyle(def.tokenStyle),
    lang,
  });
}

export = function register(RED: NodeAPI): void {
  function WellcloudConfigNode(this: Node, def: ConfigDef) {
    RED.nodes.createNode(this, def);
    const node = this as WellcloudServer;
    node.lang = runtimeLang(RED);
    node.domain = (def.domain ?? '').trim();
    node.tenantId = (def.tenantId ?? '').trim();
    node.timezone = validTimezone(def.timezone);
    node.timeout = toTimeout(def.timeout);
    (node as unknown as { baseUrl: string }).baseUrl = (def.baseUrl ?? '').trim() || DEFAULT_BASE_URL;
    let client: WellcloudClient | undefined;
    let closed = false;

    node.getClient = () => {
      if (!client) {
        client = makeClient(def, (node.credentials ?? {}) as Credentials, node.lang);
        // asked for after the close: a closed client, whose calls fail with ABORTED and open nothing
        if (closed) client.close();
      }
      return client;
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (client) client.close();
      done();
    });
  }

  RED.nodes.registerType('wellcloud-config', WellcloudConfigNode, {
    credentials: {
      appId: { type: 'text' },
      appSecret: { type: 'password' },
      apiKey: { type: 'password' },
    },
  });

  // "Test connection": applies for a token with the dialog's values (saved or not).
  const guard = RED.auth?.needsPermission ? RED.auth.needsPermission('wellcloud-config.write') : undefined;
  const handler = (req: HttpRequest, res: HttpResponse): void => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const lang = runtimeLang(RED);
    const id = typeof body.id === 'string' ? body.id : '';
    const saved: Credentials = (id && (RED.nodes.getCredentials?.(id) ?? RED.nodes.getNode(id)?.credentials)) || {};
    const pick = (k: keyof Credentials): string | undefined => {
      const v = body[k];
      if (typeof v === 'string' && v !== '' && v !== UNCHANGED_PASSWORD) return v;
      return saved[k];
    };
    const creds: Credentials = { appId: pick('appId'), appSecret: pick('appSecret'), apiKey: pick('apiKey') };
    // Saved secrets are only ever sent to the address they were saved for: a changed base URL
    // needs the secrets typed again, so the button cannot be used to send them elsewhere.
    const usesSaved = (['appSecret', 'apiKey'] as const).some((k) => creds[k] !== undefined && creds[k] === saved[k]);
    const deployed = id ? (RED.nodes.getNode(id) as unknown as { baseUrl?: string } | null) : null;
    const wanted = typeof body.baseUrl === 'string' && body.baseUrl.trim() ? body.baseUrl.trim() : DEFAULT_BASE_URL;
    if (usesSaved && (!deployed || deployed.baseUrl !== wanted)) {
      res.json({ ok: false, code: 'INVALID_INPUT', message: RED._('wellcloud-config.test.reenter') });
      return;
    }
    const client = makeClient(body, creds, lang);
    client
      .applyToken()
      .then(
        (info) => res.json({ ok: true, expiresAt: new Date(info.expiresAt).toISOString() }),
        (err: unknown) => {
          const e = err instanceof WellcloudError ? err : new WellcloudError({ code: 'ERROR', message: String((err as Error)?.message ?? err) });
          res.json({ ok: false, code: e.code, message: e.message, status: e.status });
        },
      )
      .finally(() => client.close())
      .catch(() => undefined);
  };
  if (RED.httpAdmin) {
    if (guard) RED.httpAdmin.post('/wellcloud-config/test', guard, handler);
    else RED.httpAdmin.post('/wellcloud-config/test', handler);
  }
};
