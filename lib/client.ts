/**
 * WellcloudClient: one method per endpoint of API.md, on top of the request core (http.ts)
 * and the token manager (token.ts). Usable without Node-RED.
 */
import type { Readable } from 'stream';
import FormData from 'form-data';
import { Redactor, WellcloudError, invalidInput } from './errors';
import { HttpCore, platformBody, type CoreRequest, type CoreResponse, type ErrorContext, type QueryValue } from './http';
import { normaliseLang, type Lang } from './i18n';
import { TokenManager } from './token';
import type {
  AudioQuery,
  AudioRedirect,
  AudioStream,
  CallQuery,
  CallRecord,
  ClientOptions,
  DualCallRequest,
  DualCallResult,
  InstantOutboundRequest,
  InstantOutboundResult,
  Page,
  RecordingRecord,
  RequestOptions,
  RobotCallQuery,
  RobotCallRecord,
  RosterUploadOptions,
  RosterUploadResult,
  TokenInfo,
  WellcloudApi,
} from './types';
import { inexactNumber, invisibleCharError, isExactNumber, isWellFormedText, validateDualCall, validateInstantOutbound } from './validate';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const TOKEN_HEADER = 'wellcloud_token';

const PATHS = {
  callRecordings: '/api/cdr/2.0/recordings/open/call/',
  recordingAudio: '/api/cdr/2.0/recordings/open/recording/',
  call: '/api/cdr/2.0/calls/open/call/',
  calls: '/api/cdr/2.0/calls/open',
  robotCalls: '/api/cdr/2.0/open/calls/robot',
  instantOutbound: '/api/ocm/instant/smart',
  roster: '/api/ros/2.0/batches',
  dualCall: '/api/ext/v2/calls/uc',
} as const;

const JSON_ACCEPT = { Accept: 'application/json' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `{data: {...}}` → the inner object; anything else unchanged. */
function unwrapData(body: unknown, key: string): unknown {
  if (isRecord(body) && !(key in body) && isRecord(body.data)) return body.data;
  return body;
}

/** API.md 2 decision: an array, `{list}`, `{data}` or a single object, always as an array. */
export function toRecordArray<T>(body: unknown): T[] {
  // `{data: {data: ...}}` is unwrapped in a loop, not by recursion: an answer nested 100,000 levels
  // deep (JSON.parse takes it) must not overflow the stack
  for (let b = body; ; ) {
    if (Array.isArray(b)) return b as T[];
    if (!isRecord(b)) return [];
    if (Array.isArray(b.list)) return b.list as T[];
    if (Array.isArray(b.data)) return b.data as T[];
    if (isRecord(b.data)) {
      b = b.data;
      continue;
    }
    // an envelope with nothing in it (`{"data": null, "hasData": false}`, `{"list": null}`) holds no
    // record: no recording has a `data` or `list` field of its own
    if ('data' in b || 'list' in b) return [];
    return Object.keys(b).length > 0 ? [b as T] : [];
  }
}

/** `{total?, list}` (also inside `data`, or a bare array) as a Page; `total` only when sent. */
export function toPage<T>(body: unknown): Page<T> {
  const inner = isRecord(body) && !('list' in body) && isRecord(body.data) ? body.data : body;
  if (Array.isArray(inner)) return { list: inner as T[] };
  if (!isRecord(inner)) return { list: [] };
  const list = Array.isArray(inner.list) ? inner.list : Array.isArray(inner.data) ? inner.data : [];
  const page: Page<T> = { list: list as T[] };
  const total = typeof inner.total === 'string' && inner.total.trim() ? Number(inner.total) : inner.total;
  if (typeof total === 'number' && Number.isFinite(total)) page.total = total;
  return page;
}

/**
 * An id of an answer (callId, batchId) as text: a non-blank string, or an integer JSON numbers hold
 * exactly. A larger number has already lost digits (12345678901234567890 reads 12345678901234567000),
 * and an object or array is no id: both would name another call or batch.
 */
function idText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() ? v : undefined;
  return typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : undefined;
}

function isSuccess(res: CoreResponse, acceptRedirect: boolean): boolean {
  if (acceptRedirect && res.status >= 300 && res.status < 400) return true;
  return res.status >= 200 && res.status < 300 && !platformBody(res.data);
}

function isUnauthorized(res: CoreResponse): boolean {
  return res.status === 401 || String(platformBody(res.data)?.errorCode ?? '') === '401';
}

function validBaseUrl(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().replace(/\/+$/, '');
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? s : undefined;
  } catch {
    return undefined;
  }
}

interface Call {
  req: CoreRequest;
  /** 3xx is an answer, not an error (isDownload=2). */
  acceptRedirect?: boolean;
}

export class WellcloudClient implements WellcloudApi {
  readonly lang: Lang;
  private readonly core: HttpCore;
  private readonly tokens: TokenManager;
  private readonly configError: WellcloudError | undefined;
  /** The checked base URL (without trailing slash), against which a relative redirect is resolved. */
  private readonly baseUrl: string;

  /** Never throws: a bad baseUrl makes every call reject with INVALID_INPUT instead. */
  constructor(opts: ClientOptions) {
    this.lang = normaliseLang(opts.lang);
    const baseUrl = validBaseUrl(opts.baseUrl);
    this.configError = baseUrl ? undefined : invalidInput(this.lang, 'baseUrl', 'input.baseUrl');
    this.baseUrl = baseUrl ?? 'http://invalid.invalid';
    const redactor = new Redactor();
    const timeout = typeof opts.timeout === 'number' && opts.timeout > 0 ? opts.timeout : DEFAULT_TIMEOUT_MS;
    this.core = new HttpCore({
      baseUrl: baseUrl ?? 'http://invalid.invalid',
      timeout,
      lang: this.lang,
      redactor,
      retry: {
        attempts: opts.retry?.attempts ?? 3,
        baseDelayMs: opts.retry?.baseDelayMs ?? 200,
        maxDelayMs: opts.retry?.maxDelayMs ?? 5000,
      },
      ...(opts.onDebug ? { onDebug: opts.onDebug } : {}),
    });
    this.tokens = new TokenManager({
      core: this.core,
      credentials: { appId: opts.appId ?? '', appSecret: opts.appSecret ?? '', apiKey: opts.apiKey ?? '' },
      style: opts.tokenStyle ?? 'json',
      redactor,
      ...(opts.renewMarginMs !== undefined ? { renewMarginMs: opts.renewMarginMs } : {}),
    });
  }

  // ---- token ----

  async applyToken(opts: RequestOptions = {}): Promise<TokenInfo> {
    this.checkUsable();
    return this.tokens.apply(opts);
  }

  async getToken(opts: RequestOptions = {}): Promise<string> {
    this.checkUsable();
    return this.tokens.getToken(opts);
  }

  invalidateToken(): void {
    this.tokens.invalidate();
  }

  // ---- recordings ----

  async listCallRecordings(callId: string, opts: RequestOptions = {}): Promise<RecordingRecord[]> {
    const path = PATHS.callRecordings + this.pathParam(callId, 'callId');
    const res = await this.send({ req: this.get(path, 'query', opts) });
    return toRecordArray<RecordingRecord>(this.listBody(res));
  }

  getCallAudio(callId: string, q: AudioQuery = {}, opts: RequestOptions = {}): Promise<AudioStream | AudioRedirect> {
    return this.audio(() => `${PATHS.callRecordings}${this.pathParam(callId, 'callId')}/stream`, q, opts);
  }

  getRecordingAudio(recordingId: string, q: AudioQuery = {}, opts: RequestOptions = {}): Promise<AudioStream | AudioRedirect> {
    return this.audio(() => `${PATHS.recordingAudio}${this.pathParam(recordingId, 'recordingId')}/stream`, q, opts);
  }

  // ---- call detail records ----

  async getCall(callId: string, opts: RequestOptions = {}): Promise<CallRecord> {
    const path = PATHS.call + this.pathParam(callId, 'callId');
    const res = await this.send({ req: this.get(path, 'query', opts) });
    const record = unwrapData(res.data, 'callId');
    if (!isRecord(record)) throw this.core.badResponse(res.status, 'response.missing', { field: 'callId' });
    return record as CallRecord;
  }

  async queryCalls(q: CallQuery, opts: RequestOptions = {}): Promise<Page<CallRecord>> {
    const query: Record<string, QueryValue> = {
      beginTime: q.beginTime,
      endTime: q.endTime,
      isOrder: q.isOrder,
      domain: q.domain,
      p: q.p,
      s: q.s,
      ani: q.ani,
      dnis: q.dnis,
    };
    const res = await this.send({ req: this.get(PATHS.calls, 'query', opts, query) });
    return toPage<CallRecord>(this.listBody(res));
  }

  async queryRobotCalls(q: RobotCallQuery, opts: RequestOptions = {}): Promise<Page<RobotCallRecord>> {
    const query: Record<string, QueryValue> = {
      campaignId: q.campaignId,
      beginTime: q.beginTime,
      endTime: q.endTime,
      isOrder: q.isOrder,
      isDownload: q.isDownload,
      domain: q.domain,
      resultCode: q.resultCode,
      groupCampaignId: q.groupCampaignId,
      batchId: q.batchId,
      batchName: q.batchName,
      ani: q.ani,
      dnis: q.dnis,
      rosterId: q.rosterId,
      uuiKey: q.uuiKey,
      uuiValue: q.uuiValue,
      isCount: q.isCount,
      p: q.p,
      s: q.s,
    };
    const res = await this.send({ req: this.get(PATHS.robotCalls, 'query', opts, query) });
    return toPage<RobotCallRecord>(this.listBody(res));
  }

  // ---- outbound ----

  async instantOutbound(body: InstantOutboundRequest, opts: RequestOptions = {}): Promise<InstantOutboundResult> {
    const clean = validateInstantOutbound(this.lang, body);
    const res = await this.send({ req: { ...this.postJson(PATHS.instantOutbound, clean, 'outbound', opts), placesCall: true } });
    const result = unwrapData(res.data, 'result');
    if (!isRecord(result)) throw this.core.badResponse(res.status, 'response.missing', { field: 'result' });
    return result as InstantOutboundResult;
  }

  async uploadRoster(content: Buffer | string | (() => Readable), opts: RosterUploadOptions = {}): Promise<RosterUploadResult> {
    if (!(Buffer.isBuffer(content) || typeof content === 'string' || typeof content === 'function')) {
      throw invalidInput(this.lang, 'content', 'input.required');
    }
    const filename = opts.filename ?? 'roster.txt';
    const body = (): { data: FormData; headers: Record<string, string> } => {
      const form = new FormData();
      const part = typeof content === 'function' ? content() : content;
      const partOpts: FormData.AppendOptions = { filename, contentType: 'text/plain; charset=utf-8' };
      if (typeof content === 'function' && opts.knownLength !== undefined) partOpts.knownLength = opts.knownLength;
      form.append('file', part, partOpts);
      return { data: form, headers: form.getHeaders() as Record<string, string> };
    };
    const query = { alias: opts.alias, templateId: opts.templateId };
    this.checkQuery(query);
    const req: CoreRequest = {
      ...this.base('POST', PATHS.roster, 'roster', opts),
      query,
      headers: JSON_ACCEPT,
      body,
    };
    const res = await this.send({ req });
    const data = unwrapData(res.data, 'batchId');
    const batchId = isRecord(data) ? idText(data.batchId) : undefined;
    if (!isRecord(data) || batchId === undefined) throw this.core.badResponse(res.status, 'response.missing', { field: 'batchId' });
    const name = data.batchName;
    return {
      alias: typeof data.alias === 'string' ? data.alias : null,
      batchId,
      batchName: typeof name === 'string' ? name : typeof name === 'number' && Number.isFinite(name) ? String(name) : '',
    };
  }

  async dualCall(body: DualCallRequest, opts: RequestOptions = {}): Promise<DualCallResult> {
    const clean = validateDualCall(this.lang, body);
    const res = await this.send({ req: { ...this.postJson(PATHS.dualCall, clean, 'dualCall', opts), placesCall: true } });
    const data = unwrapData(res.data, 'callId');
    const callId = isRecord(data) ? idText(data.callId) : undefined;
    if (callId === undefined) throw this.core.badResponse(res.status, 'response.missing', { field: 'callId' });
    return { callId };
  }

  // ---- lifecycle ----

  abortAll(): void {
    this.core.abortAll();
  }

  /** Aborts everything in flight and destroys the keep-alive agents. The client is done after this. */
  close(): void {
    this.core.close();
  }

  // ---- internals ----

  private checkUsable(): void {
    if (this.configError) throw this.configError;
    if (this.core.isClosed) throw this.core.abortedError();
  }

  /**
   * The body of a list answer (recordings, CDR pages): a JSON array or object. Anything else (a
   * proxy's HTML page, text, a bare number, an empty body) would read as "no records" and, in a
   * whole range, silently leave records out.
   */
  private listBody(res: CoreResponse): unknown {
    if (Array.isArray(res.data) || isRecord(res.data)) return res.data;
    throw this.core.badResponse(res.status, 'response.notList');
  }

  private pathParam(value: unknown, field: string): string {
    if (typeof value === 'number' && Number.isFinite(value) && !isExactNumber(value)) throw inexactNumber(this.lang, field, value);
    const s = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
    if (typeof s !== 'string' || !s.trim()) throw invalidInput(this.lang, field, 'input.required');
    if (!isWellFormedText(s)) throw invalidInput(this.lang, field, 'input.unicode');
    const invisible = invisibleCharError(this.lang, field, s);
    if (invisible) throw invisible;
    // a URL reads "." and ".." as directory steps: /call/.. would ask another path
    if (/^\.{1,2}$/.test(s.trim())) throw invalidInput(this.lang, field, 'input.dotSegment');
    return encodeURIComponent(s.trim());
  }

  private base(method: 'GET' | 'POST', path: string, context: ErrorContext, opts: RequestOptions): CoreRequest {
    const req: CoreRequest = { method, path, context };
    if (opts.signal) req.signal = opts.signal;
    if (opts.timeout !== undefined) req.timeout = opts.timeout;
    return req;
  }

  private get(path: string, context: ErrorContext, opts: RequestOptions, query?: Record<string, QueryValue>): CoreRequest {
    if (query) this.checkQuery(query);
    return { ...this.base('GET', path, context, opts), headers: JSON_ACCEPT, ...(query ? { query } : {}) };
  }

  /** A query value a URL cannot carry (half a surrogate pair) is INVALID_INPUT naming it, before anything is sent. */
  private checkQuery(query: Record<string, QueryValue>): void {
    for (const [k, v] of Object.entries(query)) if (typeof v === 'string' && !isWellFormedText(v)) throw invalidInput(this.lang, k, 'input.unicode');
  }

  private postJson(path: string, body: object, context: ErrorContext, opts: RequestOptions): CoreRequest {
    let text: string;
    try {
      text = JSON.stringify(body);
    } catch {
      throw this.notJson(body);
    }
    return {
      ...this.base('POST', path, context, opts),
      headers: JSON_ACCEPT,
      body: () => ({ data: text, headers: { 'Content-Type': 'application/json;charset=utf-8' } }),
    };
  }

  /** INVALID_INPUT naming the first field of `body` JSON cannot carry (a BigInt, a circular reference). */
  private notJson(body: object): WellcloudError {
    for (const [field, value] of Object.entries(body)) {
      try {
        JSON.stringify(value);
      } catch {
        return invalidInput(this.lang, field, 'input.notJson');
      }
    }
    return invalidInput(this.lang, 'payload', 'input.notJson');
  }

  private async audio(path: () => string, q: AudioQuery, opts: RequestOptions): Promise<AudioStream | AudioRedirect> {
    const isDownload = q.isDownload ?? 1;
    const urlPath = path();
    const req: CoreRequest = {
      ...this.base('GET', urlPath, 'audio', opts),
      query: { isDownload, isWav: q.isWav ?? 0 },
      // identity: audio hardly compresses, and a compressed answer's Content-Length (which axios
      // keeps after decompressing) would not match the bytes read, failing a whole download
      headers: { Accept: '*/*', 'Accept-Encoding': 'identity' },
      stream: true,
    };
    const res = await this.send({ req, acceptRedirect: isDownload === 2 });
    if (res.status >= 300 && res.status < 400) {
      this.core.discard(res);
      const location = res.headers.location;
      if (!location) throw this.core.badResponse(res.status, 'response.missing', { field: 'Location' });
      const absolute = this.absoluteLocation(location, urlPath);
      // file:, javascript:, data:, ftp: ... are no download URL; a flow might open or fetch them
      const scheme = schemeOf(absolute);
      if (scheme !== 'http:' && scheme !== 'https:') {
        // scrubbed before it is cut, so no secret's first characters remain
        const clean = this.core.scrub(absolute);
        const shown = clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
        throw this.core.badResponse(res.status, 'response.badLocation', { location: JSON.stringify(shown) });
      }
      return { kind: 'redirect', status: res.status, location: absolute };
    }
    if (!res.stream) throw this.core.badResponse(res.status, 'response.notAudio', { contentType: res.headers['content-type'] ?? '?' });
    const out: AudioStream = {
      kind: 'stream',
      status: res.status,
      contentType: res.headers['content-type'] ?? 'application/octet-stream',
      stream: res.stream,
    };
    const length = Number(res.headers['content-length']);
    if (res.headers['content-length'] !== undefined && Number.isFinite(length)) out.contentLength = length;
    return out;
  }

  /**
   * A relative Location (RFC 9110 10.2.2; Tomcat's default) resolved against the request URL; an
   * absolute one is given exactly as sent (a signed URL is not re-encoded).
   */
  private absoluteLocation(location: string, urlPath: string): string {
    if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return location;
    try {
      return new URL(location, this.baseUrl + urlPath).toString();
    } catch {
      return location;
    }
  }

  /**
   * Sends with the token; on a 401 renews once (shared with concurrent 401s) and repeats once.
   * Any other failure, or a second 401, rejects with the mapped WellcloudError.
   */
  private async send(call: Call): Promise<CoreResponse> {
    this.checkUsable();
    const { req } = call;
    const token = await this.tokens.getToken(req);
    let res = await this.core.send(withToken(req, token));
    if (isUnauthorized(res)) {
      this.core.discard(res);
      this.core.debug(`${req.method} ${req.path} answered 401, renewing the token once`);
      const fresh = await this.tokens.renewAfter401(token, req);
      res = await this.core.send(withToken(req, fresh));
    }
    if (!isSuccess(res, call.acceptRedirect === true)) {
      const err = await this.core.toError(res, req.context);
      this.core.discard(res);
      throw err;
    }
    return res;
  }
}

/** The scheme of an absolute URL (`https:`), lower case; undefined when `url` is not one. */
function schemeOf(url: string): string | undefined {
  try {
    return new URL(url).protocol.toLowerCase();
  } catch {
    return undefined;
  }
}

function withToken(req: CoreRequest, token: string): CoreRequest {
  return { ...req, headers: { ...req.headers, [TOKEN_HEADER]: token } };
}
