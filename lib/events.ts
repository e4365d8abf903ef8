/**
 * The receiving end of the platform's event pushes (API.md "Events pushed to a subscriber URL"),
 * without Node-RED: read a request body (object, JSON text or Buffer), check it, normalise legacy
 * shapes, add ISO times, and say where it goes and how to recognise its retries.
 *
 * Routing: `callEnd` (and legacy `CallEndEvent`) -> port 0, `agentStateEvent` (and legacy
 * `AgentStatusEvent`) -> port 1, any other object with an `eventName` -> port 2, and a JSON array
 * (the legacy hourly outbound-result push) -> port 2 with the topic `outboundResult`.
 *
 * ISO times (UTC, `toISOString()`) are added beside the platform's China-time texts, never in
 * their place: `timestampIso` on every event; `startTimeIso`, `answerTimeIso`, `endTimeIso` on
 * callEnd; `stateChangeTimeIso` and `lastStateChangeTimeIso` on agentStateEvent; on each outbound
 * result `startTimeIso`, `endTimeIso`, `respondTimeIso` (epoch ms there; 0 = none, no field).
 */
import { t, type Lang } from './i18n';
import { eventTimeIso } from './events-time';
import { isObject, normaliseLegacyAgentStatus, normaliseLegacyCallEnd } from './events-legacy';
import { authenticate, firstString, type AuthOptions, type EventRequest } from './events-auth';
import './events-messages';
import { sha256Base64url } from './events-dedupe';

export * from './events-auth';
export * from './events-dedupe';
export * from './events-agents';
export { eventTimeIso } from './events-time';
export { LEGACY_AGENT_STATES, normaliseLegacyAgentStatus, normaliseLegacyCallEnd } from './events-legacy';

export const CALL_END = 'callEnd';
export const AGENT_STATE = 'agentStateEvent';
export const OUTBOUND_RESULT = 'outboundResult';
/** Default body limit: 1000 outbound results with generous call-attached data fit well below it. */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export type EventPort = 0 | 1 | 2;

/** Why a body was refused (the `code` of the 400 answer). */
export type MalformedCode =
  | 'EMPTY_BODY'
  | 'BODY_TOO_LARGE'
  | 'BAD_JSON'
  | 'NOT_AN_OBJECT'
  | 'MISSING_FIELD'
  | 'BAD_FIELD'
  | 'NOT_OUTBOUND_RESULTS'
  | 'TOO_DEEP';

export interface AcceptedEvent {
  ok: true;
  /** Output index: 0 callEnd, 1 agentStateEvent, 2 anything else. */
  port: EventPort;
  /** Event name after normalisation (`callEnd` for a legacy CallEndEvent); `outboundResult` for arrays. */
  topic: string;
  /** The event (an object), or the array of outbound results. */
  payload: Record<string, unknown> | Record<string, unknown>[];
  /** Identifies the event across the platform's retries (see dedupeKey). */
  key: string;
}

export interface RejectedBody {
  ok: false;
  code: MalformedCode;
  reason: string;
  field?: string;
}

export type ParsedBody = AcceptedEvent | RejectedBody;

export interface ParseOptions {
  lang?: Lang;
  /** Largest accepted body in bytes (default 2 MB). */
  maxBytes?: number;
  /** Content-Length of the request when known: lets an already-parsed object be measured without serialising it. */
  contentLength?: number;
}

type Obj = Record<string, unknown>;

function reject(lang: Lang | undefined, code: MalformedCode, key: string, vars: Obj = {}, field?: string): RejectedBody {
  const r: RejectedBody = { ok: false, code, reason: t(lang, key, vars) };
  if (field !== undefined) r.field = field;
  return r;
}

/** The `<field>Iso` companions of the platform times present in `o`. */
function isoTimes(o: Obj, fields: readonly string[]): Obj {
  const out: Obj = {};
  for (const f of fields) {
    const iso = eventTimeIso(o[f]);
    if (iso !== undefined) out[`${f}Iso`] = iso;
  }
  return out;
}

function addIso(o: Obj, fields: readonly string[]): void {
  Object.assign(o, isoTimes(o, fields));
}

const ISO_FIELDS: Readonly<Record<string, readonly string[]>> = {
  [CALL_END]: ['timestamp', 'startTime', 'answerTime', 'endTime'],
  [AGENT_STATE]: ['timestamp', 'stateChangeTime', 'lastStateChangeTime'],
};
const RESULT_ISO_FIELDS = ['startTime', 'endTime', 'respondTime'] as const;

/** sha256 of the JSON text, for bodies without a serial. */
function contentHash(v: unknown): string {
  return sha256Base64url(JSON.stringify(v)).slice(0, 22);
}

/**
 * A serial as key text: a number or text as it is; an object or array (never the platform's, but
 * a body may hold one) as its JSON text, so two different ones neither collide (`String()` gives
 * `[object Object]` for every object) nor throw (`String({"toString": 1})` does). Undefined when
 * it has no JSON text either.
 */
function serialText(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  try {
    return JSON.stringify(v) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * The identity of an event across retries: event name + serial (+ callId for callEnd). Events
 * without a serial, and outbound-result arrays, are identified by a hash of their content
 * (a retry repeats the same body).
 */
export function dedupeKey(topic: string, payload: Obj | Obj[]): string {
  const serial = Array.isArray(payload) || payload.serial === null || payload.serial === '' ? undefined : serialText(payload.serial);
  if (Array.isArray(payload) || serial === undefined) {
    const content = Array.isArray(payload) ? payload : (isObject(payload.original) ? payload.original : payload);
    return `${topic}|#${contentHash(content)}`;
  }
  return topic === CALL_END ? `${topic}|${serial}|${String(payload.callId)}` : `${topic}|${serial}`;
}

function byteLength(body: unknown, opts: ParseOptions): number | undefined {
  if (Buffer.isBuffer(body)) return body.length;
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (opts.contentLength !== undefined && Number.isFinite(opts.contentLength)) return opts.contentLength;
  try {
    const text = JSON.stringify(body);
    return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  } catch {
    return undefined; // circular or BigInt: not something a request body can be
  }
}

/**
 * Deepest nesting of objects and arrays accepted in a body. Events are a few levels deep; a body
 * nested thousands of levels (a few KB of `[`) would overflow the stack in JSON.stringify and in
 * Node-RED's message cloning.
 */
export const MAX_DEPTH = 64;

/** True when objects/arrays in `root` nest deeper than `max` levels (iterative: no recursion). */
function nestedDeeperThan(root: unknown, max: number): boolean {
  if (root === null || typeof root !== 'object') return false;
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown>;
    const d = depths.pop() as number;
    if (d > max) return true;
    for (const k in v) {
      const c = v[k];
      if (c !== null && typeof c === 'object') {
        stack.push(c);
        depths.push(d + 1);
      }
    }
  }
  return false;
}

/** Buffer/text -> JSON value, or a rejection. */
function decode(body: Buffer | string, lang: Lang | undefined): { value: unknown } | RejectedBody {
  const text = (Buffer.isBuffer(body) ? body.toString('utf8') : body).replace(/^\uFEFF/, '').trim();
  if (text === '') return reject(lang, 'EMPTY_BODY', 'events.emptyBody');
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    // only where it broke: V8's messages quote the body, which may hold phone numbers
    const at = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
    return reject(lang, 'BAD_JSON', at ? 'events.badJsonAt' : 'events.badJson', at ? { position: Number(at[1]) } : {});
  }
}

function requireString(o: Obj, field: string, path: string, lang: Lang | undefined): RejectedBody | undefined {
  const v = o[field];
  if (v === undefined || v === null || v === '') return reject(lang, 'MISSING_FIELD', 'events.missingField', { field: path }, path);
  if (typeof v !== 'string') {
    return reject(lang, 'BAD_FIELD', 'events.badField', { field: path, expected: t(lang, 'events.expected.string') }, path);
  }
  return undefined;
}

function requireObject(o: Obj, field: string, lang: Lang | undefined): RejectedBody | Obj {
  const v = o[field];
  if (v === undefined || v === null) return reject(lang, 'MISSING_FIELD', 'events.missingField', { field }, field);
  if (!isObject(v)) return reject(lang, 'BAD_FIELD', 'events.badField', { field, expected: t(lang, 'events.expected.object') }, field);
  return v;
}

function isRejected(v: unknown): v is RejectedBody {
  return isObject(v) && v.ok === false;
}

/** A legacy event -> its current shape, or a rejection; undefined when `ev` is not a legacy event. */
function normaliseLegacy(ev: Obj, lang: Lang | undefined): Obj | RejectedBody | undefined {
  if (ev.eventName === 'CallEndEvent') {
    const call = requireObject(ev, 'call', lang);
    if (isRejected(call)) return call;
    return requireString(call, 'id', 'call.id', lang) ?? normaliseLegacyCallEnd(ev, call);
  }
  if (ev.eventName === 'AgentStatusEvent') {
    const agent = requireObject(ev, 'agent', lang);
    if (isRejected(agent)) return agent;
    // the state is read from agent.agentStatus: a missing one is named so, not as the acState it becomes
    return requireString(agent, 'agentId', 'agent.agentId', lang) ?? requireString(agent, 'agentStatus', 'agent.agentStatus', lang) ?? normaliseLegacyAgentStatus(ev, agent);
  }
  return undefined;
}

/** Checks and enriches one event object. Returns a copy; the input is not modified. */
/**
 * A copy of a pushed event with its ISO times. Object.assign, not a spread: a spread of an object
 * from JSON.parse costs about 8 us against 2 (measured on a callEnd of 45 fields). JSON.parse makes a
 * `"__proto__"` key an own field, which Object.assign sets as the copy's prototype (the field gone,
 * its members inherited): that rare copy gets its plain prototype back and the field as a field.
 */
function copyWithTimes(input: Obj, iso: Obj): Obj {
  if (!Object.hasOwn(input, '__proto__')) return Object.assign({}, input, iso);
  // field by field, in the body's order, every one defined as an own field
  const ev: Obj = {};
  for (const from of [input, iso]) {
    for (const k of Object.keys(from)) {
      Object.defineProperty(ev, k, { value: Object.getOwnPropertyDescriptor(from, k)?.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return ev;
}

export function readEvent(input: Obj, lang?: Lang): AcceptedEvent | RejectedBody {
  const nameError = requireString(input, 'eventName', 'eventName', lang);
  if (nameError) return nameError;
  const legacy = normaliseLegacy(input, lang);
  if (legacy && isRejected(legacy)) return legacy;
  const source: Obj = legacy ? legacy : input;
  const name = source.eventName as string;
  if (name === CALL_END) {
    const e = requireString(source, 'callId', 'callId', lang);
    if (e) return e;
  } else if (name === AGENT_STATE) {
    const e = requireString(source, 'id', 'id', lang) ?? requireString(source, 'acState', 'acState', lang);
    if (e) return e;
  }
  // one copy with the ISO times added at once (adding keys one by one to a copy is several times slower)
  // own keys only: an event named `constructor` or `__proto__` must not read Object.prototype
  const iso = isoTimes(source, Object.hasOwn(ISO_FIELDS, name) ? ISO_FIELDS[name] : ['timestamp']);
  const ev: Obj = legacy ? Object.assign(legacy, iso) : copyWithTimes(input, iso);
  const port: EventPort = name === CALL_END ? 0 : name === AGENT_STATE ? 1 : 2;
  return { ok: true, port, topic: name, payload: ev, key: dedupeKey(name, ev) };
}

/** Checks and enriches the legacy hourly outbound-result push (a JSON array of result objects). */
export function readOutboundResults(input: unknown[], lang?: Lang): AcceptedEvent | RejectedBody {
  if (input.length === 0) return reject(lang, 'NOT_OUTBOUND_RESULTS', 'events.emptyArray');
  const results: Obj[] = [];
  for (let i = 0; i < input.length; i++) {
    const item = input[i];
    const usable = isObject(item) && ((typeof item.callId === 'string' && item.callId !== '') || (item.id !== undefined && item.id !== null && item.id !== ''));
    if (!usable) return reject(lang, 'NOT_OUTBOUND_RESULTS', 'events.notResult', { index: i }, `[${i}]`);
    const copy: Obj = { ...item };
    addIso(copy, RESULT_ISO_FIELDS);
    results.push(copy);
  }
  return { ok: true, port: 2, topic: OUTBOUND_RESULT, payload: results, key: dedupeKey(OUTBOUND_RESULT, input as Obj[]) };
}

/**
 * Reads a pushed body: an object (already parsed by `http in`), JSON text or a Buffer.
 * Never throws: anything unusable comes back as `{ok: false, code, reason, field?}`.
 */
export function parseEventBody(body: unknown, opts: ParseOptions = {}): ParsedBody {
  const { lang } = opts;
  const max = opts.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (body === undefined || body === null) return reject(lang, 'EMPTY_BODY', 'events.emptyBody');
  // before anything that recurses (JSON.stringify below, Node-RED's message cloning after)
  if (typeof body === 'object' && !Buffer.isBuffer(body) && nestedDeeperThan(body, MAX_DEPTH)) return reject(lang, 'TOO_DEEP', 'events.tooDeep', { max: MAX_DEPTH });
  const size = byteLength(body, opts);
  if (size === undefined) return reject(lang, 'NOT_AN_OBJECT', 'events.notObject');
  if (size > max) return reject(lang, 'BODY_TOO_LARGE', 'events.tooLarge', { max });
  let value: unknown = body;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    const decoded = decode(body, lang);
    if (isRejected(decoded)) return decoded;
    value = decoded.value;
    if (nestedDeeperThan(value, MAX_DEPTH)) return reject(lang, 'TOO_DEEP', 'events.tooDeep', { max: MAX_DEPTH });
  }
  if (Array.isArray(value)) return readOutboundResults(value, lang);
  if (!isObject(value)) return reject(lang, 'NOT_AN_OBJECT', 'events.notObject');
  return readEvent(value, lang);
}

/** What to answer an HTTP request with. */
export interface Answer {
  /** 200 accepted, duplicate or URL check; 400 malformed; 401 failed secret or signature; 500 internal error; 503 stopping. */
  status: number;
  body: Record<string, unknown>;
}

export const OK_ANSWER: Readonly<Answer> = Object.freeze({ status: 200, body: Object.freeze({ result: 'ok' }) });

/** A request that reached a receiver being stopped (redeploy): not accepted, so the platform pushes it again. */
export const STOPPING_ANSWER: Readonly<Answer> = Object.freeze({ status: 503, body: Object.freeze({ result: 'error', code: 'STOPPING', reason: 'the receiver is stopping; push again' }) });

/**
 * With Respond off: a push of an event whose earlier push the flow has not answered yet. Not a
 * duplicate (that delivery may still fail and be forgotten), not delivered twice: the platform
 * pushes it again later, and by then the first delivery is settled one way or the other.
 */
export const IN_PROGRESS_ANSWER: Readonly<Answer> = Object.freeze({
  status: 503,
  body: Object.freeze({ result: 'error', code: 'IN_PROGRESS', reason: 'an earlier push of this event is still being handled; push again' }),
});

export function rejectionAnswer(r: RejectedBody): Answer {
  const body: Obj = { result: 'error', code: r.code, reason: r.reason };
  if (r.field !== undefined) body.field = r.field;
  return { status: 400, body };
}

export interface ReceiveOptions extends AuthOptions, Omit<ParseOptions, 'contentLength'> {}

/**
 * The outcome of one request: an event for the flow, or an answer the receiver gives at once
 * (the GET URL check, a refused body, a failed secret or signature check). `warning` is set for
 * refusals (safe to log: it never holds the secret, the token or the body).
 */
export type Receipt =
  | { kind: 'event'; event: AcceptedEvent }
  | { kind: 'answer'; answer: Answer; warning?: string; code?: string };

function unauthorized(code: 'UNAUTHORIZED' | 'BAD_SIGNATURE', lang: Lang | undefined): Receipt {
  const reason = t(lang, code === 'UNAUTHORIZED' ? 'events.unauthorized' : 'events.badSignature');
  return { kind: 'answer', answer: { status: 401, body: { result: 'error', code, reason } }, warning: reason, code };
}

/** The legacy URL check: GET (or HEAD) with echostr (and, when a signToken is set, a valid signature). */
function urlCheck(req: EventRequest, lang: Lang | undefined): Receipt {
  const echostr = firstString(req.query?.echostr);
  if (echostr === undefined || echostr === '') {
    const r = reject(lang, 'MISSING_FIELD', 'events.noEchostr', {}, 'echostr');
    return { kind: 'answer', answer: rejectionAnswer(r), warning: r.reason, code: r.code };
  }
  return { kind: 'answer', answer: { status: 200, body: { result: echostr } } };
}

/**
 * The request's Content-Length, when it is the size of the body as read: not for a compressed body,
 * which a parsing `http in` inflates (a few KB of gzip can hold megabytes of JSON).
 */
function contentLengthOf(req: EventRequest | undefined): number | undefined {
  const encoding = firstString(req?.headers?.['content-encoding'])?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') return undefined;
  const v = firstString(req?.headers?.['content-length']);
  const n = v === undefined ? Number.NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * One pushed request (or, without `req`, a body handed over inside a flow: no HTTP checks).
 * Checks the secret and signature first, then answers the GET URL check or reads the body.
 * Never throws.
 */
export function receive(body: unknown, req: EventRequest | undefined, opts: ReceiveOptions = {}): Receipt {
  const { lang } = opts;
  if (req) {
    const failure = authenticate(opts, req);
    if (failure) return unauthorized(failure, lang);
    // Express hands a HEAD request to the GET route: it is the same check (its answer has no body),
    // never an event read from the query
    if (typeof req.method === 'string' && ['GET', 'HEAD'].includes(req.method.toUpperCase())) return urlCheck(req, lang);
  }
  const parsed = parseEventBody(body, { lang, maxBytes: opts.maxBytes, contentLength: contentLengthOf(req) });
  if (!parsed.ok) return { kind: 'answer', answer: rejectionAnswer(parsed), warning: parsed.reason, code: parsed.code };
  return { kind: 'event', event: parsed };
}
