/**
 * wellcloud-event-in: the receiving end of the platform's event pushes, wired after an `http in`
 * node. Not an action node (no config node, no platform request): lib/events.ts reads, checks and
 * routes each body; this file answers the HTTP request, remembers accepted events (node-memory.ts:
 * the context store the user names) to drop the platform's retries, and sends the event on.
 */
import {
  DEFAULT_DEDUPE_MAX,
  DEFAULT_DEDUPE_WINDOW_MS,
  DEFAULT_MAX_BODY_BYTES,
  EventDeduper,
  IN_PROGRESS_ANSWER,
  OK_ANSWER,
  STOPPING_ANSWER,
  receive,
  stripSecret,
  topicText,
  type AcceptedEvent,
  type Answer,
  type DedupeStorage,
  type EventRequest,
} from '../../lib/events';
import type { Lang } from '../../lib/i18n';
import { runtimeLang } from '../shared/action';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from '../shared/types';
import { nodeMemory, type NodeMemory } from './node-memory';

const TYPE = 'wellcloud-event-in';
/** How long a redeploy waits for messages still being checked against the dedupe store. */
const CLOSE_WAIT_MS = 5000;
/** Shortest interval between two status updates. */
const STATUS_EVERY_MS = 250;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60000, h: 3600000 };

interface EventInDef extends NodeDef {
  respond?: boolean | string;
  dedupe?: boolean | string;
  dedupeWindow?: number | string;
  dedupeWindowUnit?: string;
  dedupeMax?: number | string;
  dedupeStore?: string;
  maxBodyKb?: number | string;
}

interface EventInCredentials {
  secret?: string;
  signToken?: string;
}

/**
 * The response as `http in` wraps it (msg.res._res): an Express response, so also a Node.js
 * `http.ServerResponse`. Answers are written with the plain Node.js calls when they exist (see
 * writeJson), else through Express's `status().json()`.
 */
interface ResponseLike {
  status?(code: number): { json(body: unknown): void };
  headersSent?: boolean;
  statusCode?: number;
  setHeader?(name: string, value: string | number): unknown;
  end?(chunk: Buffer): unknown;
}
interface ResponseWrapper {
  _res?: ResponseLike;
}
/** The events of the Node.js response under Express's (http.ServerResponse). */
interface ResponseEvents {
  once?(event: 'finish' | 'close', listener: () => void): unknown;
  writableFinished?: boolean;
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** The accepted answer, serialised once: it is the same for every event. */
const OK_BODY = Buffer.from(JSON.stringify(OK_ANSWER.body));

/**
 * An answer as Express's `res.json` writes it (status, `Content-Type` with charset,
 * `Content-Length`), without its per-call work that a push answer does not need: content-type
 * parsing, an ETag (a hash of the body: no client revalidates a POST answer) and the freshness
 * check: about 8 us per event in the bench's profile.
 */
function writeJson(res: ResponseLike, status: number, body: Buffer): boolean {
  if (typeof res.setHeader !== 'function' || typeof res.end !== 'function') return false;
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', body.length);
  res.end(body);
  return true;
}

interface Settings {
  respond: boolean;
  dedupe: boolean;
  windowMs: number;
  maxEntries: number;
  store: string | undefined;
  maxBytes: number;
}

function flag(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null || v === '') return fallback;
  return v === true || v === 'true';
}

function positiveNumber(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function readSettings(def: EventInDef): Settings {
  const unit = UNIT_MS[def.dedupeWindowUnit ?? 'h'] ?? UNIT_MS.h;
  const windowMs = def.dedupeWindow === undefined || def.dedupeWindow === '' ? DEFAULT_DEDUPE_WINDOW_MS : positiveNumber(def.dedupeWindow, Number.NaN) * unit;
  return {
    respond: flag(def.respond, true),
    dedupe: flag(def.dedupe, true),
    windowMs: Number.isFinite(windowMs) ? windowMs : DEFAULT_DEDUPE_WINDOW_MS,
    maxEntries: Math.floor(positiveNumber(def.dedupeMax, DEFAULT_DEDUPE_MAX)),
    store: typeof def.dedupeStore === 'string' && def.dedupeStore.trim() !== '' ? def.dedupeStore.trim() : undefined,
    maxBytes: Math.floor(positiveNumber(def.maxBodyKb, DEFAULT_MAX_BODY_BYTES / 1024) * 1024),
  };
}

/** The dedupe memory as the deduper sees it. */
function dedupeStorage(memory: NodeMemory): DedupeStorage {
  return { load: () => memory.load(), save: (state) => memory.save(state) };
}

function requestOf(msg: NodeMessage): EventRequest | undefined {
  const req = msg.req;
  return req !== null && typeof req === 'object' ? (req as EventRequest) : undefined;
}

export = function register(RED: NodeAPI): void {
  function WellcloudEventInNode(this: Node, def: EventInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const settings = readSettings(def);
    const creds = (node.credentials ?? {}) as EventInCredentials;
    const lang: Lang = runtimeLang(RED);
    const memory = nodeMemory(node, 'dedupe', settings.store);
    const deduper = settings.dedupe
      ? new EventDeduper({ windowMs: settings.windowMs, maxEntries: settings.maxEntries, storage: dedupeStorage(memory) })
      : undefined;
    const pending = new Set<Promise<void>>();
    const counts = { accepted: 0, duplicates: 0, refused: 0 };
    node.status({});

    // At most one status update per STATUS_EVERY_MS (the latest wins): a translated status per
    // event costs more than reading the event itself.
    let latestStatus: { fill: 'green' | 'yellow'; topic: string } | undefined;
    let lastStatusAt = 0;
    let statusTimer: NodeJS.Timeout | undefined;
    const renderStatus = (): void => {
      statusTimer = undefined;
      if (!latestStatus) return;
      const { fill, topic } = latestStatus;
      lastStatusAt = Date.now();
      // the event name is the platform's text: a long one is cut, as a status shows a line
      node.status({ fill, shape: fill === 'green' ? 'dot' : 'ring', text: RED._(`${TYPE}.status.counts`, { topic: topicText(topic), ...counts }) });
    };
    const showStatus = (fill: 'green' | 'yellow', topic: string): void => {
      latestStatus = { fill, topic };
      const wait = lastStatusAt + STATUS_EVERY_MS - Date.now();
      if (wait <= 0 && !statusTimer) renderStatus();
      else if (!statusTimer) statusTimer = setTimeout(renderStatus, Math.max(0, wait));
    };

    /** Answers the HTTP request of `msg` (when it has one). */
    const answer = (msg: NodeMessage, a: Answer): boolean => {
      const res = (msg.res as ResponseWrapper | undefined)?._res;
      if (!res || (typeof res.status !== 'function' && typeof res.setHeader !== 'function')) return false;
      if (res.headersSent) return true;
      try {
        const body = a === OK_ANSWER ? OK_BODY : Buffer.from(JSON.stringify(a.body));
        if (!writeJson(res, a.status, body)) res.status?.(a.status).json(a.body);
      } catch (e) {
        node.warn(RED._(`${TYPE}.warn.answerFailed`, { detail: e instanceof Error ? e.message : String(e) }));
      }
      return true;
    };

    const warnStore = (e: unknown): void => {
      node.warn(RED._(`${TYPE}.warn.store`, { detail: e instanceof Error ? e.message : String(e) }));
    };

    /** True when the event was seen before. A failing store lets the event through (at least once). */
    const isDuplicate = async (key: string): Promise<boolean> => {
      if (!deduper) return false;
      try {
        return await deduper.seen(key);
      } catch (e) {
        warnStore(e);
        return false;
      }
    };

    /** Respond off: keys of delivered events the flow has not answered yet. */
    const unanswered = new Set<string>();
    /**
     * Respond off: the flow answers. An event it does not answer with a 2xx (an error status, or no
     * answer before the connection closes) is forgotten, so the platform's next push of it is
     * delivered again instead of being dropped as a duplicate.
     */
    const forgetUnlessAnswered = (msg: NodeMessage, key: string): void => {
      const res = (msg.res as ResponseWrapper | undefined)?._res as (ResponseLike & ResponseEvents) | undefined;
      if (!deduper || !res || typeof res.once !== 'function') return;
      let settled = false;
      unanswered.add(key);
      const check = (): void => {
        if (settled) return;
        settled = true;
        unanswered.delete(key);
        const status = res.statusCode ?? 0;
        if (res.writableFinished === true && status >= 200 && status < 300) return;
        deduper.forget(key).catch(warnStore);
      };
      res.once('finish', check);
      res.once('close', check);
    };

    const deliver = (msg: NodeMessage, event: AcceptedEvent, send: SendFn): void => {
      // the request passed the check: the secret it carried goes no further than this node
      if (creds.secret) stripSecret(msg.req);
      msg.topic = event.topic;
      msg.payload = event.payload;
      if (settings.respond && answer(msg, OK_ANSWER)) delete msg.res;
      else if (deduper) forgetUnlessAnswered(msg, event.key);
      const out: (NodeMessage | null)[] = [null, null, null];
      out[event.port] = msg;
      send(out);
    };

    const handle = async (msg: NodeMessage, send: SendFn): Promise<void> => {
      const receipt = receive(msg.payload, requestOf(msg), {
        lang,
        secret: creds.secret,
        signToken: creds.signToken,
        maxBytes: settings.maxBytes,
      });
      if (receipt.kind === 'answer') {
        // answered here whatever `respond` says: no message leaves the node for another node to answer
        answer(msg, receipt.answer);
        if (receipt.warning !== undefined) {
          counts.refused++;
          node.warn(RED._(`${TYPE}.warn.refused`, { status: receipt.answer.status, code: receipt.code, reason: receipt.warning }));
          showStatus('yellow', String(receipt.code));
        }
        return;
      }
      const { event } = receipt;
      if (await isDuplicate(event.key)) {
        counts.duplicates++;
        // Respond off, pushed again while the flow still handles the first push: no duplicate yet
        // (that delivery may fail and be forgotten) and no second delivery; the platform pushes again
        answer(msg, unanswered.has(event.key) ? IN_PROGRESS_ANSWER : OK_ANSWER);
        showStatus('green', event.topic);
        return;
      }
      counts.accepted++;
      deliver(msg, event, send);
      showStatus('green', event.topic);
    };

    // set when a stop begins: a request Node-RED delivers after that (queued before it) is not
    // accepted but answered 503, so that the platform pushes it again to the flow that replaces this one
    let closing = false;

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      if (closing) {
        answer(msg, STOPPING_ANSWER);
        done();
        return;
      }
      // one settle step per message (a `.finally` for the bookkeeping would add two more promises)
      const work: Promise<void> = handle(msg, send).then(
        () => {
          pending.delete(work);
          done();
        },
        (e: unknown) => {
          pending.delete(work);
          // nothing above is meant to throw; if it does, the node keeps working and says so
          node.warn(RED._(`${TYPE}.warn.internal`, { detail: e instanceof Error ? e.message : String(e) }));
          answer(msg, { status: 500, body: { result: 'error', code: 'INTERNAL', reason: 'internal error' } });
          done();
        },
      );
      pending.add(work);
    });

    node.on('close', (removed: boolean, done: () => void) => {
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      const waitCap = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      // Node-RED delivers a message in a later turn of the event loop (setImmediate) than the one
      // that sent it, and drops it once this node has stopped (its input handler is removed right
      // after done()): a request `http in` sent on just before the stop would never be answered.
      // One turn lets every delivery queued before the stop arrive, and be answered 503 above.
      const queuedBeforeStop = new Promise<void>((resolve) => setImmediate(resolve));
      const finished = Promise.all([queuedBeforeStop, Promise.allSettled(Array.from(pending))]).then(() => (removed ? memory.remove().catch(() => undefined) : undefined));
      void Promise.race([finished, waitCap]).then(() => {
        if (timer) clearTimeout(timer);
        if (statusTimer) clearTimeout(statusTimer);
        statusTimer = undefined;
        latestStatus = undefined;
        node.status({});
        done();
      });
    });
  }

  RED.nodes.registerType(TYPE, WellcloudEventInNode, {
    credentials: {
      secret: { type: 'password' },
      signToken: { type: 'password' },
    },
  });
};
