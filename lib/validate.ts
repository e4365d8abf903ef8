/**
 * Shared input validators. Each reads `field` (a dotted path such as `options.cpa`) from an
 * object and throws INVALID_INPUT naming that path, so bad input never reaches the platform.
 */
import { type WellcloudError, invalidInput } from './errors';
import { listText, type Lang } from './i18n';
import type { DualCallOptions, DualCallRequest, InstantOutboundRequest } from './types';

export type Obj = Record<string, unknown>;

/** Optional validators return undefined for undefined, null and ''. */
export interface Optional {
  optional: true;
}

export function isPlainObject(v: unknown): v is Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** What a thrown value says, for an error message. */
export function thrownText(e: unknown): string {
  const m = e !== null && typeof e === 'object' ? (e as { message?: unknown }).message : undefined;
  if (typeof m === 'string') return m;
  try {
    return String(e);
  } catch {
    return typeof e;
  }
}

/**
 * `obj[key]`; a getter or proxy that throws on the read becomes INVALID_INPUT naming `field` (the
 * caller's own objects hold no such thing, but a message may).
 */
export function readField(lang: Lang | undefined, obj: object, key: string, field: string = key): unknown {
  try {
    return (obj as Obj)[key];
  } catch (e) {
    throw invalidInput(lang, field, 'input.unreadable', { detail: thrownText(e) });
  }
}

/**
 * The value at a dotted path (`options.cpa`), undefined when any step is missing. A read that throws
 * (a getter, a proxy) is INVALID_INPUT naming the path.
 */
export function readPath(obj: unknown, field: string, lang?: Lang): unknown {
  // most fields are top-level: no split (an array per read) for them
  if (!field.includes('.')) return obj !== null && typeof obj === 'object' ? readField(lang, obj, field) : undefined;
  let cur: unknown = obj;
  for (const key of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = readField(lang, cur, key, field);
  }
  return cur;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/**
 * A number that text can hold exactly: finite, and not an integer beyond 2^53 (13912345678901234567
 * is 13912345678901234000 by the time it is a number: as an id or a phone number, another one).
 */
export function isExactNumber(v: number): boolean {
  return Number.isFinite(v) && (Number.isSafeInteger(v) || !Number.isInteger(v));
}

/** INVALID_INPUT for a number that is no longer the one the user wrote. */
export function inexactNumber(lang: Lang | undefined, field: string, v: number): WellcloudError {
  return invalidInput(lang, field, 'input.inexact', { value: v });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * False for text holding half of a surrogate pair (cut in the middle of an emoji, say): UTF-8 has no
 * bytes for it, so a URL cannot carry it and a body would carry U+FFFD instead.
 */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** A string (trimmed) or an exact finite number (as text); '' and whitespace count as missing. */
function asText(lang: Lang | undefined, v: unknown, field: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (!isExactNumber(v)) throw inexactNumber(lang, field, v);
    return String(v);
  }
  if (typeof v !== 'string') throw invalidInput(lang, field, 'input.string');
  const s = v.trim();
  if (!s) throw invalidInput(lang, field, 'input.required');
  if (!isWellFormedText(s)) throw invalidInput(lang, field, 'input.unicode');
  return s;
}

export function requireString(lang: Lang | undefined, obj: unknown, field: string): string {
  const v = readPath(obj, field, lang);
  if (isEmpty(v)) throw invalidInput(lang, field, 'input.required');
  return asText(lang, v, field);
}

export function optionalString(lang: Lang | undefined, obj: unknown, field: string): string | undefined {
  const v = readPath(obj, field, lang);
  if (isEmpty(v) || (typeof v === 'string' && !v.trim())) return undefined;
  return asText(lang, v, field);
}

export function requireObject(lang: Lang | undefined, obj: unknown, field: string): Obj {
  const v = readPath(obj, field, lang);
  if (v === undefined || v === null) throw invalidInput(lang, field, 'input.required');
  if (!isPlainObject(v)) throw invalidInput(lang, field, 'input.object');
  return v;
}

export function optionalObject(lang: Lang | undefined, obj: unknown, field: string): Obj | undefined {
  const v = readPath(obj, field, lang);
  if (isEmpty(v)) return undefined;
  if (!isPlainObject(v)) throw invalidInput(lang, field, 'input.object');
  return v;
}

const DEVICE_ID = /^[^\s@]+@[^\s@]+$/;

/** Control and format characters (Unicode Cc, Cf: zero-width space, BOM, bidi marks...): never part of an id. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/**
 * INVALID_INPUT naming `field` when the id `s` holds an invisible character, with its code point and
 * place (1-based, in characters); undefined otherwise. Such a character, pasted along with an extension
 * or a callId, would reach the platform as part of it and find nothing there.
 */
export function invisibleCharError(lang: Lang | undefined, field: string, s: string): WellcloudError | undefined {
  const m = INVISIBLE.exec(s);
  if (!m) return undefined;
  const code = (m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return invalidInput(lang, field, 'input.invisible', { char: `U+${code}`, position: Array.from(s.slice(0, m.index)).length + 1 });
}

/** An extension with its domain: `8001@test.cc`. */
export function deviceId(lang: Lang | undefined, obj: unknown, field: string): string;
export function deviceId(lang: Lang | undefined, obj: unknown, field: string, opt: Optional): string | undefined;
export function deviceId(lang: Lang | undefined, obj: unknown, field: string, opt?: Optional): string | undefined {
  const s = opt ? optionalString(lang, obj, field) : requireString(lang, obj, field);
  if (s === undefined) return s;
  const invisible = invisibleCharError(lang, field, s);
  if (invisible) throw invisible;
  if (!DEVICE_ID.test(s)) throw invalidInput(lang, field, 'input.deviceId');
  return s;
}

/** 3 to 20 digits, as the roster's `number` column and the sandbox take them. */
export const PHONE_MIN_DIGITS = 3;
export const PHONE_MAX_DIGITS = 20;
const PHONE = /^\+?\d{3,20}$/;

/** 3 to 20 digits with an optional leading `+`. */
export function phone(lang: Lang | undefined, obj: unknown, field: string): string;
export function phone(lang: Lang | undefined, obj: unknown, field: string, opt: Optional): string | undefined;
export function phone(lang: Lang | undefined, obj: unknown, field: string, opt?: Optional): string | undefined {
  // a number above 2^53 has already lost digits (13912345678901234567 reads as ...234000): it
  // would ring someone else
  const raw = readPath(obj, field, lang);
  if (typeof raw === 'number' && Number.isFinite(raw) && !Number.isSafeInteger(raw)) throw invalidInput(lang, field, 'input.phone', { min: PHONE_MIN_DIGITS, max: PHONE_MAX_DIGITS });
  const s = opt ? optionalString(lang, obj, field) : requireString(lang, obj, field);
  if (s !== undefined && !PHONE.test(s)) throw invalidInput(lang, field, 'input.phone', { min: PHONE_MIN_DIGITS, max: PHONE_MAX_DIGITS });
  return s;
}

const PREFIX = /^[\d*#]+$/;

/** A dialling prefix: digits, `*` and `#` (e.g. `9`). */
export function dialPrefix(lang: Lang | undefined, obj: unknown, field: string): string {
  const s = requireString(lang, obj, field);
  if (!PREFIX.test(s)) throw invalidInput(lang, field, 'input.prefix');
  return s;
}

/** "true" / "false"; booleans are converted. */
export function boolString(lang: Lang | undefined, obj: unknown, field: string): 'true' | 'false';
export function boolString(lang: Lang | undefined, obj: unknown, field: string, opt: Optional): 'true' | 'false' | undefined;
export function boolString(lang: Lang | undefined, obj: unknown, field: string, opt?: Optional): 'true' | 'false' | undefined {
  const v = readPath(obj, field, lang);
  if (isEmpty(v)) {
    if (opt) return undefined;
    throw invalidInput(lang, field, 'input.required');
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true' || s === 'false') return s;
  }
  throw invalidInput(lang, field, 'input.boolString');
}

/** An integer in [min, max]; numeric strings are converted. */
export function intInRange(lang: Lang | undefined, obj: unknown, field: string, min: number, max: number): number;
export function intInRange(lang: Lang | undefined, obj: unknown, field: string, min: number, max: number, opt: Optional): number | undefined;
export function intInRange(lang: Lang | undefined, obj: unknown, field: string, min: number, max: number, opt?: Optional): number | undefined {
  const v = readPath(obj, field, lang);
  if (isEmpty(v) || (typeof v === 'string' && !v.trim())) {
    if (opt) return undefined;
    throw invalidInput(lang, field, 'input.required');
  }
  const n = typeof v === 'string' && /^[+-]?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalidInput(lang, field, 'input.integer', { min, max });
  }
  return n;
}

/** One of `values`; `"1"` matches `1` (the allowed value itself is returned). */
export function oneOf<T extends string | number>(lang: Lang | undefined, obj: unknown, field: string, values: readonly T[]): T;
export function oneOf<T extends string | number>(lang: Lang | undefined, obj: unknown, field: string, values: readonly T[], opt: Optional): T | undefined;
export function oneOf<T extends string | number>(lang: Lang | undefined, obj: unknown, field: string, values: readonly T[], opt?: Optional): T | undefined {
  const v = readPath(obj, field, lang);
  if (isEmpty(v)) {
    if (opt) return undefined;
    throw invalidInput(lang, field, 'input.required');
  }
  const text = typeof v === 'string' ? v.trim() : v;
  const hit = values.find((c) => c === text || (typeof text !== 'object' && String(c) === String(text)));
  if (hit === undefined) throw invalidInput(lang, field, 'input.oneOf', { values: listText(lang, values) });
  return hit;
}

function requireBody(lang: Lang | undefined, body: unknown): Obj {
  if (!isPlainObject(body)) throw invalidInput(lang, 'payload', 'input.object');
  return body;
}

function dualCallOptions(lang: Lang | undefined, body: Obj): DualCallOptions | undefined {
  if (optionalObject(lang, body, 'options') === undefined) return undefined;
  const out: DualCallOptions = {};
  const bindPhone = phone(lang, body, 'options.bindPhone', { optional: true });
  const displayOrigin = phone(lang, body, 'options.displayOrigin', { optional: true });
  const cpa = boolString(lang, body, 'options.cpa', { optional: true });
  const displayDest = optionalString(lang, body, 'options.displayDest');
  if (bindPhone !== undefined) out.bindPhone = bindPhone;
  if (displayOrigin !== undefined) out.displayOrigin = displayOrigin;
  if (cpa !== undefined) out.cpa = cpa;
  if (displayDest !== undefined) out.displayDest = displayDest;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** API.md 9: the dual call body, checked and reduced to the API's fields. */
export function validateDualCall(lang: Lang | undefined, body: unknown): DualCallRequest {
  const b = requireBody(lang, body);
  const out: DualCallRequest = {
    deviceId: deviceId(lang, b, 'deviceId'),
    prefix: dialPrefix(lang, b, 'prefix'),
    customerPhone: phone(lang, b, 'customerPhone'),
  };
  const userData = optionalObject(lang, b, 'userData');
  if (userData !== undefined) out.userData = userData;
  const options = dualCallOptions(lang, b);
  if (options !== undefined) out.options = options;
  return out;
}

/** API.md 7: the instant outbound body, checked and reduced to the API's fields. */
export function validateInstantOutbound(lang: Lang | undefined, body: unknown): InstantOutboundRequest {
  const b = requireBody(lang, body);
  const out: InstantOutboundRequest = {
    activityId: requireString(lang, b, 'activityId'),
    callee: phone(lang, b, 'callee'),
    caller: requireString(lang, b, 'caller'),
    data: requireObject(lang, b, 'data'),
    domain: requireString(lang, b, 'domain'),
    rosterId: requireString(lang, b, 'rosterId'),
    tenantId: requireString(lang, b, 'tenantId'),
  };
  const id = optionalString(lang, b, 'id');
  if (id !== undefined) out.id = id;
  return out;
}
