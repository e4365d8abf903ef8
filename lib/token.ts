/**
 * The token manager: one token per client, applied for on first use, renewed before it
 * expires, shared by concurrent callers (single-flight), and renewed once after a 401.
 */
import { MIN_SECRET_LENGTH, Redactor, WellcloudError, invalidInput } from './errors';
import type { CoreRequest, CoreResponse, HttpCore } from './http';
import { platformBody } from './http';
import type { RequestOptions, TokenInfo, TokenStyle } from './types';

export const TOKEN_PATH = '/accesstoken/apply';
/** The guide: "access token 有效期为1天". */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_RENEW_MARGIN_MS = 5 * 60 * 1000;

export interface Credentials {
  appId: string;
  appSecret: string;
  apiKey: string;
}

export interface TokenManagerOptions {
  core: HttpCore;
  credentials: Credentials;
  style: TokenStyle;
  redactor: Redactor;
  renewMarginMs?: number;
}

interface HeldToken extends TokenInfo {
  /** Epoch ms from which a call applies for a new token first. */
  renewAt: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A token as the `wellcloud_token` header can carry it intact: 4 to 4096 visible ASCII characters.
 * Control characters would be stripped on the way (every call then fails with 401), other
 * characters are not sent as given, and a token shorter than 4 is too short to be kept out of
 * error messages (see Redactor).
 */
const TOKEN_SHAPE = /^[\x21-\x7e]{4,4096}$/;

function tokenString(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return TOKEN_SHAPE.test(s) ? s : undefined;
}

/** The token of an apply answer: `token`, `accessToken`, `access_token`, `data.token`, `data.accessToken` or a text body. */
export function readToken(body: unknown): string | undefined {
  // a text body that looks like JSON or HTML is no token
  if (typeof body === 'string') return /[{}[\]<>"]/.test(body) ? undefined : tokenString(body);
  if (!isRecord(body)) return undefined;
  const data = isRecord(body.data) ? body.data : {};
  return (
    tokenString(body.token) ??
    tokenString(body.accessToken) ??
    tokenString(body.access_token) ??
    tokenString(data.token) ??
    tokenString(data.accessToken) ??
    tokenString(data.access_token) ??
    (typeof body.data === 'string' ? readToken(body.data) : undefined)
  );
}

/**
 * The longest lifetime an answer may announce: a year and a day. The guide says one day; a larger
 * value is no lifetime (milliseconds given as seconds, 1e300), and past ~2.7e11 s no Date holds it.
 */
export const MAX_ANNOUNCED_LIFETIME_S = 366 * 24 * 60 * 60;

/** The announced lifetime in ms (`expiresIn` / `expires_in`, seconds, at most a year), when announced. */
export function readLifetimeMs(body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const data = isRecord(body.data) ? body.data : {};
  for (const v of [body.expiresIn, body.expires_in, data.expiresIn, data.expires_in]) {
    const n = typeof v === 'string' && v.trim() ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= MAX_ANNOUNCED_LIFETIME_S) return n * 1000;
  }
  return undefined;
}

/** Waits for `p`, but rejects with `aborted()` as soon as `signal` aborts (p itself goes on). */
function waitFor<T>(p: Promise<T>, signal: AbortSignal | undefined, aborted: () => Error): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export class TokenManager {
  private held: HeldToken | undefined;
  private previous: string | undefined;
  private inflight: Promise<TokenInfo> | undefined;
  private readonly renewMarginMs: number;

  constructor(private readonly o: TokenManagerOptions) {
    this.renewMarginMs = Math.max(0, o.renewMarginMs ?? DEFAULT_RENEW_MARGIN_MS);
    o.redactor.add(o.credentials.appSecret);
    o.redactor.add(o.credentials.apiKey);
  }

  /** Applies anew (joining an application already in flight). */
  apply(opts: RequestOptions = {}): Promise<TokenInfo> {
    return waitFor(this.shared(opts.timeout), opts.signal, () => this.o.core.abortedError());
  }

  /** A valid token: the held one, or a new one when none is held or its renewal time has come. */
  async getToken(opts: RequestOptions = {}): Promise<string> {
    const held = this.held;
    if (held && Date.now() < held.renewAt) return held.token;
    try {
      return (await this.apply(opts)).token;
    } catch (e) {
      // renewing early failed, but the old token still works: keep using it, renew on a later call
      const stillValid = held && this.held === held && Date.now() < held.expiresAt;
      if (stillValid && !(e instanceof WellcloudError && e.code === 'ABORTED')) return held.token;
      throw e;
    }
  }

  /**
   * After `stale` got a 401: renew, unless another caller already did (then its token is
   * returned). Concurrent 401s share one application.
   */
  async renewAfter401(stale: string, opts: RequestOptions = {}): Promise<string> {
    if (this.held && this.held.token !== stale) return this.held.token;
    if (this.held) this.drop();
    return (await this.apply(opts)).token;
  }

  invalidate(): void {
    if (this.held) this.drop();
  }

  private drop(): void {
    if (this.held) this.remember(this.held.token);
    this.held = undefined;
  }

  /** Keeps the last replaced token scrubbed (a late error may still quote it), forgets older ones. */
  private remember(token: string): void {
    if (this.previous && this.previous !== token) this.o.redactor.remove(this.previous);
    this.previous = token;
  }

  private shared(timeout: number | undefined): Promise<TokenInfo> {
    if (!this.inflight) {
      const p = this.applyNow(timeout);
      this.inflight = p;
      const clear = (): void => {
        if (this.inflight === p) this.inflight = undefined;
      };
      p.then(clear, clear);
    }
    return this.inflight;
  }

  private checkCredentials(): void {
    for (const field of ['appId', 'appSecret', 'apiKey'] as const) {
      const v = this.o.credentials[field];
      if (typeof v !== 'string' || !v.trim()) throw invalidInput(this.o.core.lang, field, 'token.credentials');
      // the Redactor cannot blank out a secret this short without blanking ordinary text with it
      if (field !== 'appId' && v.length < MIN_SECRET_LENGTH) {
        throw invalidInput(this.o.core.lang, field, 'token.secretShort', { length: v.length, min: MIN_SECRET_LENGTH });
      }
    }
  }

  private request(timeout: number | undefined): CoreRequest {
    const { appId, appSecret, apiKey } = this.o.credentials;
    const base: CoreRequest = { method: 'POST', path: TOKEN_PATH, context: 'token', headers: { Accept: 'application/json, text/plain, */*' } };
    if (timeout !== undefined) base.timeout = timeout;
    switch (this.o.style) {
      case 'query':
        return { ...base, query: { appId, appSecret, apiKey } };
      case 'form':
        return {
          ...base,
          body: () => ({
            data: new URLSearchParams({ appId, appSecret, apiKey }).toString(),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          }),
        };
      default:
        return { ...base, body: () => ({ data: JSON.stringify({ appId, appSecret, apiKey }), headers: { 'Content-Type': 'application/json' } }) };
    }
  }

  private async applyNow(timeout: number | undefined): Promise<TokenInfo> {
    this.checkCredentials();
    const core = this.o.core;
    const sentAt = Date.now();
    const res: CoreResponse = await core.send(this.request(timeout));
    if (res.status < 200 || res.status >= 300 || platformBody(res.data)) throw await core.toError(res, 'token');
    const token = readToken(res.data);
    if (!token) throw core.badResponse(res.status, 'token.missing');
    this.o.redactor.add(token);
    const lifetime = readLifetimeMs(res.data) ?? DEFAULT_TOKEN_LIFETIME_MS;
    const margin = Math.min(this.renewMarginMs, lifetime / 2);
    const expiresAt = sentAt + lifetime;
    if (this.held && this.held.token !== token) this.remember(this.held.token);
    this.held = { token, expiresAt, renewAt: expiresAt - margin };
    core.debug(`token applied, expires ${new Date(expiresAt).toISOString()}`);
    return { token, expiresAt };
  }
}
