/**
 * The request core of the client: one axios instance on keep-alive agents, timeouts,
 * cancellation, GET-only retries with backoff, and the mapping of every failure to a
 * `WellcloudError` built from safe fields only (never the axios error, its config or headers).
 */
import { setMaxListeners } from 'events';
import http from 'http';
import https from 'https';
import { PassThrough, Readable } from 'stream';
import axios, { type AxiosInstance, type AxiosResponse, type GenericAbortSignal } from 'axios';
import { Redactor, WellcloudError } from './errors';
import { hasMessage, t, type Lang } from './i18n';

/** Which endpoint family a request belongs to; picks the explanation of a platform code. */
export type ErrorContext = 'token' | 'query' | 'dualCall' | 'outbound' | 'roster' | 'audio';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface HttpCoreOptions {
  baseUrl: string;
  timeout: number;
  lang: Lang;
  retry: RetryPolicy;
  redactor: Redactor;
  onDebug?: (line: string) => void;
}

export type QueryValue = string | number | boolean | undefined | null;

export interface BuiltBody {
  data: unknown;
  headers?: Record<string, string>;
}

export interface CoreRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL, path parameters already encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** Builds the body anew for every attempt, so forms and streams can be sent again. */
  body?: () => BuiltBody;
  /** Answer the body as a stream (audio). Error answers are still read and mapped. */
  stream?: boolean;
  context: ErrorContext;
  signal?: AbortSignal;
  timeout?: number;
  /**
   * The request rings phones (dual call, outbound call): cancelled after it was handed to the
   * network, it fails as ABORTED with `details.callMayBePlaced`, since the platform may have
   * received it and placed the call.
   */
  placesCall?: boolean;
}

export interface CoreResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON, else the text (undefined while `stream` is set). */
  data: unknown;
  /** The body of a stream request with a non-error answer. */
  stream?: Readable;
}

/** Codes of zlib's and brotli's decoders (Z_DATA_ERROR, Z_BUF_ERROR, ERR__ERROR_FORMAT_PADDING_1, ...). */
const DECODE_ERROR = /^(Z_[A-Z_]+|ERR__ERROR_[A-Z0-9_]+|ERR_ZSTD_[A-Z0-9_]+)$/;
/** Network failures after which an idempotent GET is tried again. */
const RETRY_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
/** Longest wait a Retry-After header can impose. */
export const RETRY_AFTER_CAP_MS = 30_000;
/** Most bytes of an error body read from an audio stream. */
const ERROR_BODY_LIMIT = 64 * 1024;
/**
 * Most bytes of a JSON or text answer (after decompression), far above any answer of the API (a
 * CDR page of 100 records is tens of KB): a broken proxy or a gzip bomb cannot fill the memory.
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
const IDLE_SOCKET_MS = 10_000;
/** The longest delay a timer keeps: setTimeout fires a longer one after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647;
/**
 * axios sets TCP keep-alive with a 60 s initial delay on every request's socket; the agent
 * sets its own `keepAliveMsecs` (default 1 s) each time it takes a socket back. Different
 * values made both a setsockopt call on every request (~10 us together); with the same value
 * Node.js sees no change and skips both.
 */
const TCP_KEEPALIVE_MS = 60_000;
const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: TCP_KEEPALIVE_MS, timeout: IDLE_SOCKET_MS };

type Why = 'abort' | 'timeout' | undefined;

interface PlatformBody {
  errorCode: number | string;
  errorMessage?: string;
  instanceId?: string;
  exceptionName?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The platform error body `{errorCode, errorMessage, instanceId, exceptionName}`, when `body` is one. */
export function platformBody(body: unknown): PlatformBody | undefined {
  if (!isRecord(body)) return undefined;
  const code = body.errorCode;
  if (!(typeof code === 'number' || (typeof code === 'string' && code.trim() !== ''))) return undefined;
  const out: PlatformBody = { errorCode: code };
  for (const k of ['errorMessage', 'instanceId', 'exceptionName'] as const) {
    const v = body[k];
    if (typeof v === 'string') out[k] = v;
    else if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}

/** Drops undefined/null values and writes numbers and booleans as text. */
export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Retry-After (delta seconds or an HTTP date) in ms, capped; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), RETRY_AFTER_CAP_MS);
}

/** Full jitter: random(0, min(max, base * 2^(retry-1))). `retry` counts from 1. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

function isRetryStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** An answer that is an error (or JSON) on a stream path: its body must be read and mapped. */
function streamLooksLikeError(status: number, contentType: string): boolean {
  return status >= 400 || /\bjson\b/i.test(contentType);
}

function headerRecord(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** The answer came with a Content-Encoding (other than identity) that axios has removed while decoding. */
function decodedByAxios(res: AxiosResponse): boolean {
  const raw = (res.request as { res?: { rawHeaders?: unknown } } | undefined)?.res?.rawHeaders;
  if (!Array.isArray(raw)) return false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (String(raw[i]).toLowerCase() === 'content-encoding' && !/^\s*(identity)?\s*$/i.test(String(raw[i + 1]))) return true;
  }
  return false;
}

function parseText(text: string): unknown {
  const s = text.trim();
  if (!s) return text;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return text;
  }
}

function errorCodeOf(e: unknown): string | undefined {
  const code = isRecord(e) || e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function errorTextOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type AbortListener = (event: { type: 'abort' }) => void;

/**
 * The per-request abort switch handed to axios, which only reads `aborted` and adds/removes
 * 'abort' listeners (GenericAbortSignal). An AbortController with its signal cost ~4 us a
 * request (EventTarget set-up); this is a flag and a short listener list.
 */
class RequestAbort implements GenericAbortSignal {
  aborted = false;
  private listeners: AbortListener[] = [];

  addEventListener(_type: 'abort', listener: AbortListener): void {
    this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: AbortListener): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l({ type: 'abort' });
  }
}

/** Resolves after `ms`, or rejects with `onAbort()` as soon as a signal aborts. */
function sleep(ms: number, signals: AbortSignal[], onAbort: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signals.some((s) => s.aborted)) {
      reject(onAbort());
      return;
    }
    const stop = (): void => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', stop);
      reject(onAbort());
    };
    const timer = setTimeout(() => {
      for (const s of signals) s.removeEventListener('abort', stop);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS));
    for (const s of signals) s.addEventListener('abort', stop, { once: true });
  });
}

/** Reads at most `limit` bytes of a stream as text, then destroys it. */
function readSmall(stream: Readable, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      stream.removeAllListeners('data');
      stream.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    stream.on('data', (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(b);
      size += b.length;
      if (size >= limit) finish();
    });
    stream.once('end', finish);
    stream.once('error', reject);
  });
}

export class HttpCore {
  readonly lang: Lang;
  private readonly axios: AxiosInstance;
  private readonly httpAgent = new http.Agent(AGENT_OPTIONS);
  private readonly httpsAgent = new https.Agent(AGENT_OPTIONS);
  private readonly host: string;
  private allController = newClientController();
  private closed = false;

  constructor(private readonly opts: HttpCoreOptions) {
    this.lang = opts.lang;
    this.host = hostOf(opts.baseUrl);
    this.axios = axios.create({
      baseURL: opts.baseUrl,
      adapter: 'http',
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // every status is an answer we map ourselves; redirects are never followed, so the token
      // header never travels to another host and isDownload=2 yields its Location
      validateStatus: () => true,
      maxRedirects: 0,
      maxBodyLength: Infinity,
      transformResponse: [(data: unknown) => data],
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The signal every request of this client listens to (renewed by abortAll). */
  get clientSignal(): AbortSignal {
    return this.allController.signal;
  }

  /** Aborts every request, backoff sleep and token wait in flight; new requests still work. */
  abortAll(): void {
    const old = this.allController;
    this.allController = newClientController();
    old.abort();
  }

  /** Aborts everything and destroys the keep-alive agents; later requests fail with ABORTED. */
  close(): void {
    this.closed = true;
    this.abortAll();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  scrub(text: string): string {
    return this.opts.redactor.scrub(text);
  }

  debug(line: string): void {
    if (this.opts.onDebug) {
      try {
        this.opts.onDebug(this.scrub(line));
      } catch {
        // a failing debug hook must not fail the request
      }
    }
  }

  abortedError(): WellcloudError {
    const key = this.closed ? 'net.closed' : 'net.ABORTED';
    return new WellcloudError({ code: 'ABORTED', message: t(this.lang, key) });
  }

  /** A request that rings phones, cancelled on its way: the platform may have placed the call. */
  private callAbortedError(): WellcloudError {
    return new WellcloudError({ code: 'ABORTED', message: t(this.lang, 'net.abortedCall'), details: { callMayBePlaced: true } });
  }

  /** Sends `req`, retrying idempotent GETs on network errors, 429 and 5xx. Any status resolves. */
  async send(req: CoreRequest): Promise<CoreResponse> {
    const attempts = req.method === 'GET' ? Math.max(1, this.opts.retry.attempts) : 1;
    for (let n = 1; ; n++) {
      let res: CoreResponse | undefined;
      try {
        res = await this.attempt(req);
      } catch (e) {
        const err = e as WellcloudError;
        if (n >= attempts || !RETRY_CODES.has(err.code)) throw err;
        this.debug(`${req.method} ${req.path} failed with ${err.code} (attempt ${n}/${attempts}), retrying`);
        await this.pause(backoffDelay(n, this.opts.retry), req.signal);
        continue;
      }
      if (n >= attempts || !isRetryStatus(res.status)) return res;
      const delay = parseRetryAfter(res.headers['retry-after']) ?? backoffDelay(n, this.opts.retry);
      this.discard(res);
      this.debug(`${req.method} ${req.path} answered ${res.status} (attempt ${n}/${attempts}), retrying in ${delay} ms`);
      await this.pause(delay, req.signal);
    }
  }

  /** Releases the body of an answer that will not be used. */
  discard(res: CoreResponse): void {
    if (res.stream && !res.stream.destroyed) res.stream.destroy();
  }

  private pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const signals = signal ? [signal, this.clientSignal] : [this.clientSignal];
    return sleep(ms, signals, () => this.abortedError());
  }

  /** One HTTP exchange; network failures, timeouts and aborts reject with a WellcloudError. */
  private async attempt(req: CoreRequest): Promise<CoreResponse> {
    if (this.closed) throw this.abortedError();
    // a timeout of more than ~24.8 days is as good as none; beyond that a timer would fire at once
    const timeoutMs = Math.min(req.timeout ?? this.opts.timeout, MAX_TIMER_MS);
    const signals = req.signal ? [req.signal, this.clientSignal] : [this.clientSignal];
    if (signals.some((s) => s.aborted)) throw this.abortedError();

    const controller = new RequestAbort();
    let why: Why;
    const stop = (reason: Why) => (): void => {
      why ??= reason;
      controller.abort();
    };
    const onAbort = stop('abort');
    let timer = setTimeout(stop('timeout'), timeoutMs);
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    const release = (): void => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
    };

    try {
      const built = req.body ? req.body() : undefined;
      const res = await this.axios.request<unknown>({
        method: req.method,
        url: req.path + buildQuery(req.query),
        headers: { ...req.headers, ...built?.headers },
        data: built?.data,
        responseType: req.stream ? 'stream' : 'text',
        // streams (audio) are never held whole; axios would count them through a generator
        ...(req.stream ? {} : { maxContentLength: MAX_ANSWER_BYTES }),
        signal: controller,
      });
      const headers = headerRecord(res.headers);
      // axios decodes a compressed body and drops Content-Encoding, but keeps Content-Length, which
      // counts the compressed bytes: a download would seem cut short (audio is asked for with
      // `identity`, yet a proxy may compress it all the same)
      if (req.stream && headers['content-length'] !== undefined && headers['content-encoding'] === undefined && decodedByAxios(res)) delete headers['content-length'];
      this.debug(`${req.method} ${req.path} -> ${res.status}`);
      if (!req.stream) {
        release();
        return { status: res.status, headers, data: parseText(typeof res.data === 'string' ? res.data : '') };
      }
      // stream: the timeout now measures idle time between chunks, not the whole body
      clearTimeout(timer);
      const stream = this.guardStream(res.data as Readable, {
        timeoutMs,
        arm: (ms) => {
          clearTimeout(timer);
          timer = setTimeout(stop('timeout'), ms);
        },
        disarm: () => clearTimeout(timer),
        release,
        failure: (e) => this.networkError(e, why, timeoutMs),
      });
      if (streamLooksLikeError(res.status, headers['content-type'] ?? '')) {
        const text = await readSmall(stream, ERROR_BODY_LIMIT);
        return { status: res.status, headers, data: parseText(text) };
      }
      return { status: res.status, headers, data: undefined, stream };
    } catch (e) {
      release();
      if (why === 'abort' && req.placesCall && !(e instanceof WellcloudError)) throw this.callAbortedError();
      throw this.networkError(e, why, timeoutMs);
    }
  }

  /**
   * Wraps the axios response stream in a PassThrough the caller owns: errors on it are always
   * safe WellcloudErrors, the idle timer runs only while data is expected (not while the
   * consumer applies backpressure), and destroying it releases the socket.
   */
  private guardStream(
    source: Readable,
    g: { timeoutMs: number; arm: (ms: number) => void; disarm: () => void; release: () => void; failure: (e: unknown) => WellcloudError },
  ): Readable {
    const out = new PassThrough();
    // a consumer that listens for errors gets the WellcloudError; a stream nobody listens to is
    // just closed, so a late failure can never crash the process with an unhandled 'error'
    const fail = (err: WellcloudError): void => {
      if (out.destroyed) return;
      if (out.listenerCount('error') > 0) out.destroy(err);
      else out.destroy();
    };
    const rearm = (): void => g.arm(g.timeoutMs);
    // forwarded by hand rather than with pipe(), whose own 'error' listener on `out` would
    // rethrow when the consumer has none; backpressure pauses the idle timer
    source.on('data', (chunk: Buffer) => {
      rearm();
      if (!out.write(chunk)) {
        g.disarm();
        source.pause();
      }
    });
    out.on('drain', () => {
      rearm();
      source.resume();
    });
    source.once('end', () => {
      g.disarm();
      out.end();
    });
    source.on('error', (e: unknown) => fail(g.failure(e)));
    source.once('close', () => {
      g.release();
      if (!source.readableEnded) fail(g.failure(new Error('socket hang up')));
    });
    out.once('close', () => {
      g.release();
      if (!source.destroyed) source.destroy();
    });
    rearm();
    return out;
  }

  /** A failure without an HTTP answer, as a WellcloudError. */
  networkError(e: unknown, why: Why, timeoutMs: number): WellcloudError {
    if (e instanceof WellcloudError) return e;
    if (why === 'abort') return this.abortedError();
    const raw = errorCodeOf(e);
    if (why === 'timeout' || raw === 'ETIMEDOUT' || raw === 'ECONNABORTED') {
      return new WellcloudError({ code: 'ETIMEDOUT', message: t(this.lang, 'net.ETIMEDOUT', { timeout: timeoutMs }) });
    }
    if (raw === 'ERR_CANCELED') return this.abortedError();
    if (raw === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(errorTextOf(e))) {
      return new WellcloudError({ code: 'BAD_RESPONSE', message: t(this.lang, 'response.tooLarge', { max: MAX_ANSWER_BYTES / (1024 * 1024) }) });
    }
    // an answer, but not one to read: a body its Content-Encoding does not fit, or no HTTP at all
    const unreadable = raw && DECODE_ERROR.test(raw) ? 'response.undecodable' : raw && /^HPE_/.test(raw) ? 'response.malformed' : undefined;
    if (unreadable) return new WellcloudError({ code: 'BAD_RESPONSE', message: this.scrub(t(this.lang, unreadable, { detail: errorTextOf(e) })) });
    // axios's ERR_BAD_RESPONSE ("stream has been aborted"): the connection closed before the body was complete
    const cut = raw === 'ERR_BAD_RESPONSE';
    const code = cut ? 'ECONNRESET' : raw && /^[A-Z][A-Z0-9_]*$/.test(raw) ? raw : /socket hang up/i.test(errorTextOf(e)) ? 'ECONNRESET' : 'ENETWORK';
    const key = hasMessage(`net.${code}`) ? `net.${code}` : 'net.other';
    const message = t(this.lang, key, { host: this.host, detail: errorTextOf(e) });
    return new WellcloudError({ code, message: this.scrub(message) });
  }

  /** Reads the answer of a failed call and maps it to a WellcloudError (CONTRACT.md code rules). */
  async toError(res: CoreResponse, context: ErrorContext): Promise<WellcloudError> {
    let body = res.data;
    if (res.stream) body = parseText(await readSmall(res.stream, ERROR_BODY_LIMIT).catch(() => ''));
    const p = platformBody(body);
    if (p) return this.platformError(res.status, p, context);
    return this.statusError(res, body, context);
  }

  private platformError(status: number, p: PlatformBody, context: ErrorContext): WellcloudError {
    // every text the platform sends is scrubbed: the code becomes msg.error.code and the node status
    const code = this.scrub(String(p.errorCode).trim());
    const at = code === '14015' ? splitPointOf(p.errorMessage) : undefined;
    let message = t(this.lang, platformKey(code, status, context), { code, status, text: '', at: at ? t(this.lang, 'platform.14015.at', { at }) : '' });
    if (p.errorMessage) message += t(this.lang, 'platform.says', { message: p.errorMessage });
    return new WellcloudError({
      code,
      status,
      errorCode: typeof p.errorCode === 'string' ? this.scrub(p.errorCode) : p.errorCode,
      ...(p.errorMessage !== undefined ? { errorMessage: this.scrub(p.errorMessage) } : {}),
      ...(p.instanceId !== undefined ? { instanceId: this.scrub(p.instanceId) } : {}),
      ...(p.exceptionName !== undefined ? { exceptionName: this.scrub(p.exceptionName) } : {}),
      ...(at ? { details: { splitAt: at } } : {}),
      message: this.scrub(message),
    });
  }

  private statusError(res: CoreResponse, body: unknown, context: ErrorContext): WellcloudError {
    const status = res.status;
    // scrubbed before it is cut: a cut inside a secret would leave its first characters
    const snippet = typeof body === 'string' && body.trim() && !/^\s*</.test(body) ? this.scrub(body.trim()).slice(0, 200) : '';
    const message = t(this.lang, statusKey(status, context), { status, text: snippet ? t(this.lang, 'http.status.text', { text: snippet }) : '' });
    return new WellcloudError({ code: `HTTP_${status}`, status, message: this.scrub(message) });
  }

  /** A 2xx answer that lacks what the API documents. */
  badResponse(status: number, key: 'response.missing' | 'response.notAudio' | 'response.notList' | 'response.badLocation' | 'token.missing', vars: Record<string, unknown> = {}): WellcloudError {
    return new WellcloudError({ code: 'BAD_RESPONSE', status, message: this.scrub(t(this.lang, key, { status, ...vars })) });
  }
}

/** Every request in flight listens to the client's controller: no listener limit there. */
function newClientController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** The time point a 14015 message names (`…请以2021-10-01 00:00:00时间点分为两次查询`), as `yyyy-MM-dd HH:mm:ss`. */
export function splitPointOf(errorMessage: string | undefined): string | undefined {
  const m = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(errorMessage ?? '');
  if (!m) return undefined;
  const p2 = (s: string | undefined): string => (s ?? '0').padStart(2, '0');
  return `${m[1]}-${p2(m[2])}-${p2(m[3])} ${p2(m[4])}:${p2(m[5])}:${p2(m[6])}`;
}

function platformKey(code: string, status: number, context: ErrorContext): string {
  const echoesStatus = code === String(status);
  if (context === 'token' && (code === '401' || code === '403' || (echoesStatus && status >= 400 && status < 500))) return 'token.rejected';
  if (code === '14001' || code === '14002') return `platform.${code}.${context === 'dualCall' ? 'dualCall' : 'query'}`;
  if (hasMessage(`platform.${code}`)) return `platform.${code}`;
  // a body that only repeats the HTTP status explains nothing more than the status does
  return echoesStatus ? statusKey(status, context) : status >= 500 ? 'http.500' : 'platform.unknown';
}

function statusKey(status: number, context: ErrorContext): string {
  if (context === 'token' && status >= 400 && status < 500) return 'token.rejected';
  if (status === 400 || status === 401 || status === 403) return `platform.${status}`;
  if (status === 404 && context === 'roster') return 'http.404.roster';
  if (status === 404 && context === 'outbound') return 'http.404.outbound';
  if (status >= 500) return 'http.500';
  return 'http.status';
}
