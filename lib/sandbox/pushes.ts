/**
 * Event pushes of the sandbox: every 'callEnd' and 'agentStateEvent' the sandbox core emits is
 * POSTed as JSON to the subscriber URL, with the platform's retry schedule when the subscriber
 * fails (a non-2xx answer, a network error or no answer within the push timeout):
 * the n-th retry comes n units after the n-th failure (unit = 1 min on the platform), up to 30
 * retries, always the same event (same serial). Tests compress the unit (`pushRetryUnitMs`).
 *
 * The sandbox core calls `attachPushes(sandbox)` when it starts (lib/sandbox/index.ts). The
 * subscriber URL is the sandbox's `subscriberUrl` option and follows its changes at run time
 * (`POST /__sandbox/subscriber {url}`, the core's 'subscriber' event). Each push goes to the URL
 * in force when the event happened, retries included. Tests read the push log through
 * `pushesOf(sandbox).log` and wait with `whenIdle()`.
 */
import type { EventEmitter } from 'events';
import * as http from 'http';
import * as https from 'https';
import type { Sandbox } from './types';

export const PUSHED_EVENTS = ['callEnd', 'agentStateEvent'] as const;
export type PushedEventName = (typeof PUSHED_EVENTS)[number];

export interface PushOptions {
  /** The sandbox core's event emitter. */
  events: EventEmitter;
  /** Where to POST events (http or https URL). Without one, events are not pushed. */
  subscriberUrl?: string;
  /** Retry unit in ms: retry n comes n units after failure n (default 60000, the platform's minute). */
  pushRetryUnitMs?: number;
  /** Retries after the first attempt (default 30). */
  pushMaxRetries?: number;
  /** How long one attempt may take before it counts as failed, in ms (default 10000). */
  pushTimeoutMs?: number;
  /** Push records kept in the log, oldest dropped first (default 1000). */
  pushLogSize?: number;
}

export interface PushAttempt {
  /** Epoch ms the attempt started. */
  at: number;
  /** HTTP status of the subscriber's answer, when it answered. */
  status?: number;
  /** Network error code or 'TIMEOUT', when it did not answer. */
  error?: string;
  ok: boolean;
}

export type PushState = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface PushRecord {
  eventName: PushedEventName;
  serial: unknown;
  callId?: string;
  /** Agent id of an agentStateEvent. */
  agent?: string;
  url: string;
  attempts: PushAttempt[];
  state: PushState;
  /** Epoch ms of the next attempt while pending. */
  nextAttemptAt?: number;
}

interface Delivery {
  record: PushRecord;
  body: Buffer;
  timer?: NodeJS.Timeout;
  request?: http.ClientRequest;
}

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function positive(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

export class PushDispatcher {
  /** Every push, oldest first (bounded by pushLogSize). */
  readonly log: PushRecord[] = [];
  private url: string | undefined;
  private readonly events: EventEmitter;
  private readonly unitMs: number;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly logSize: number;
  private readonly active = new Set<Delivery>();
  private readonly listeners: [PushedEventName, (ev: Record<string, unknown>) => void][] = [];
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** Keep-alive agents of this dispatcher only (as Node.js's global ones: 5 s idle), so close() can end their connections. */
  private readonly httpAgent = new http.Agent({ keepAlive: true, timeout: 5000 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, timeout: 5000 });

  constructor(opts: PushOptions) {
    this.events = opts.events;
    this.unitMs = positive(opts.pushRetryUnitMs, 60000);
    this.maxRetries = Math.floor(positive(opts.pushMaxRetries, 30));
    this.timeoutMs = positive(opts.pushTimeoutMs, 10000);
    this.logSize = Math.max(1, Math.floor(positive(opts.pushLogSize, 1000)));
    this.setSubscriber(opts.subscriberUrl);
    for (const name of PUSHED_EVENTS) {
      const listener = (ev: Record<string, unknown>): void => {
        this.push(name, ev);
      };
      this.events.on(name, listener);
      this.listeners.push([name, listener]);
    }
  }

  get subscriberUrl(): string | undefined {
    return this.url;
  }

  /** Sets (or with an empty value clears) the subscriber URL. Throws on a URL that is not http(s). */
  setSubscriber(url: string | undefined | null): void {
    if (url === undefined || url === null || url === '') {
      this.url = undefined;
      return;
    }
    if (!isHttpUrl(url)) throw new TypeError(`subscriber url must be an http(s) URL: ${String(url)}`);
    this.url = url;
  }

  /** Records of one event name (and serial), for tests. */
  find(eventName: PushedEventName, serial?: unknown): PushRecord[] {
    return this.log.filter((r) => r.eventName === eventName && (serial === undefined || r.serial === serial));
  }

  /** Deliveries still pending (first attempt or retries to come). */
  get pending(): number {
    return this.active.size;
  }

  /** Resolves when no delivery is pending (or at once when none is). */
  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Pushes one event now (the core's emitter calls this). Without a subscriber URL nothing happens. */
  push(eventName: PushedEventName, ev: Record<string, unknown>): PushRecord | undefined {
    if (this.closed || !this.url) return undefined;
    const record: PushRecord = { eventName, serial: ev.serial, url: this.url, attempts: [], state: 'pending' };
    if (typeof ev.callId === 'string') record.callId = ev.callId;
    if (eventName === 'agentStateEvent' && typeof ev.id === 'string') record.agent = ev.id;
    this.log.push(record);
    if (this.log.length > this.logSize) this.log.splice(0, this.log.length - this.logSize);
    const delivery: Delivery = { record, body: Buffer.from(JSON.stringify(ev), 'utf8') };
    this.active.add(delivery);
    this.attempt(delivery);
    return record;
  }

  /** Stops listening, clears every timer and aborts attempts in flight. */
  close(): void {
    this.closed = true;
    for (const [name, listener] of this.listeners) this.events.off(name, listener);
    this.listeners.length = 0;
    for (const d of this.active) {
      if (d.timer) clearTimeout(d.timer);
      d.request?.destroy();
      d.record.state = 'cancelled';
      delete d.record.nextAttemptAt;
    }
    this.active.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.notifyIdle();
  }

  private attempt(d: Delivery): void {
    delete d.record.nextAttemptAt;
    d.timer = undefined;
    const started: PushAttempt = { at: Date.now(), ok: false };
    d.record.attempts.push(started);
    let settled = false;
    const finish = (status?: number, error?: string): void => {
      if (settled) return;
      settled = true;
      d.request = undefined;
      if (status !== undefined) started.status = status;
      if (error !== undefined) started.error = error;
      started.ok = status !== undefined && status >= 200 && status < 300;
      if (!this.closed) this.settle(d, started.ok);
    };
    try {
      d.request = this.send(d, finish);
    } catch (e) {
      finish(undefined, (e as { code?: string }).code ?? 'ERROR');
    }
  }

  private send(d: Delivery, finish: (status?: number, error?: string) => void): http.ClientRequest {
    const target = new URL(d.record.url);
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, {
      agent: secure ? this.httpsAgent : this.httpAgent,
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8', 'content-length': d.body.length, 'user-agent': 'wellcloud-sandbox-push' },
      timeout: this.timeoutMs,
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode));
      res.on('error', () => finish(res.statusCode));
      res.on('close', () => finish(res.statusCode));
    });
    req.on('timeout', () => {
      finish(undefined, 'TIMEOUT');
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => finish(undefined, e.code ?? 'ERROR'));
    req.end(d.body);
    return req;
  }

  /** After attempt n (1-based): done, or retry n after n units, or give up after the last retry. */
  private settle(d: Delivery, ok: boolean): void {
    const failures = d.record.attempts.length;
    if (ok) return this.finish(d, 'delivered');
    if (failures > this.maxRetries) return this.finish(d, 'failed');
    const delay = failures * this.unitMs;
    d.record.nextAttemptAt = Date.now() + delay;
    d.timer = setTimeout(() => this.attempt(d), delay);
  }

  private finish(d: Delivery, state: PushState): void {
    d.record.state = state;
    this.active.delete(d);
    if (this.active.size === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** Push tuning a sandbox may carry in its options (see PushOptions). */
export type PushTuning = Pick<PushOptions, 'pushRetryUnitMs' | 'pushMaxRetries' | 'pushTimeoutMs' | 'pushLogSize'>;

const dispatchers = new WeakMap<object, PushDispatcher>();

/**
 * Wires pushes into a sandbox: its 'callEnd' / 'agentStateEvent' events, its subscriber URL (now
 * and when it changes), and its close(). `tuning` overrides what the sandbox options say.
 */
export function attachPushes(sandbox: Sandbox, tuning: PushTuning = {}): PushDispatcher {
  const fromOptions: PushTuning = sandbox.options;
  const dispatcher = new PushDispatcher({
    events: sandbox.events,
    subscriberUrl: sandbox.options.subscriberUrl,
    pushRetryUnitMs: tuning.pushRetryUnitMs ?? fromOptions.pushRetryUnitMs,
    pushMaxRetries: tuning.pushMaxRetries ?? fromOptions.pushMaxRetries,
    pushTimeoutMs: tuning.pushTimeoutMs ?? fromOptions.pushTimeoutMs,
    pushLogSize: tuning.pushLogSize ?? fromOptions.pushLogSize,
  });
  const onSubscriber = (url: unknown): void => {
    try {
      dispatcher.setSubscriber(typeof url === 'string' ? url : undefined);
    } catch {
      dispatcher.setSubscriber(undefined); // not an http(s) URL: nothing can be delivered there
    }
  };
  sandbox.events.on('subscriber', onSubscriber);
  sandbox.onClose(() => {
    sandbox.events.off('subscriber', onSubscriber);
    dispatcher.close();
  });
  dispatchers.get(sandbox)?.close();
  dispatchers.set(sandbox, dispatcher);
  return dispatcher;
}

/** The push dispatcher attached to a sandbox (its log, pending count, whenIdle). */
export function pushesOf(sandbox: Sandbox): PushDispatcher | undefined {
  return dispatchers.get(sandbox);
}
