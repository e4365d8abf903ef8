/**
 * Platform time <-> Date. The platform speaks wall-clock China time (`yyyy-MM-dd HH:mm:ss`);
 * a config node may choose another IANA zone. Offsets come from Intl at the instant in
 * question, so zones with daylight saving time are handled correctly. No dependency.
 */
import { invalidInput } from './errors';
import type { Lang } from './i18n';

export const PLATFORM_TIME_ZONE = 'Asia/Shanghai';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // throws RangeError for an unknown zone, which callers turn into their own error
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name Intl knows. */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || !timeZone) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of `epochMs` in `timeZone` (milliseconds kept from the instant). */
function wallTimeAt(epochMs: number, timeZone: string): WallTime {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const yearOfEra = Number(parts.year);
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - yearOfEra : yearOfEra;
  return {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: ((epochMs % 1000) + 1000) % 1000,
  };
}

/** The wall-clock fields read as if they were UTC (Date.UTC without its 0-99 year quirk). */
function wallAsUtc(w: WallTime): number {
  // Date.UTC reads years 0-99 as 1900-1999; only those need the setter path
  if (w.year >= 100) return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, w.millisecond);
  return d.getTime();
}

function rawOffsetMs(wholeSecond: number, timeZone: string): number {
  return wallAsUtc({ ...wallTimeAt(wholeSecond, timeZone), millisecond: 0 }) - wholeSecond;
}

/**
 * Offsets change a few times a year at most, so the offset of each quarter hour whose first and
 * last second agree is kept (Intl formatToParts costs microseconds; event times call this four
 * times each). A quarter hour holding a transition is never cached.
 */
const OFFSET_BUCKET_MS = 15 * 60_000;
const OFFSET_CACHE_LIMIT = 4096;
const offsetCache = new Map<string, Map<number, number>>();

/** Offset of `timeZone` from UTC at the instant `epochMs`, in ms (Shanghai: +8 h). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const whole = epochMs - (((epochMs % 1000) + 1000) % 1000);
  const bucket = Math.floor(whole / OFFSET_BUCKET_MS);
  let zone = offsetCache.get(timeZone);
  const cached = zone?.get(bucket);
  if (cached !== undefined) return cached;
  const start = bucket * OFFSET_BUCKET_MS;
  const first = rawOffsetMs(start, timeZone);
  if (first !== rawOffsetMs(start + OFFSET_BUCKET_MS - 1000, timeZone)) return rawOffsetMs(whole, timeZone);
  if (!zone) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  if (zone.size >= OFFSET_CACHE_LIMIT) zone.clear();
  zone.set(bucket, first);
  return first;
}

/**
 * The instant at which the wall clock of `timeZone` shows `w`. In a DST overlap the earlier
 * instant wins; in a DST gap the wall time is moved forward by the gap (like Temporal's
 * "compatible" disambiguation).
 */
function wallTimeToEpoch(w: WallTime, timeZone: string): number {
  const local = wallAsUtc(w);
  const before = zoneOffsetMs(local - DAY_MS, timeZone);
  const after = zoneOffsetMs(local + DAY_MS, timeZone);
  // the same offset a day either side: one candidate, and the answer below is local - before
  // whether or not it checks out, so skip the checks (the common case, four times per callEnd)
  if (before === after) return local - before;
  const valid = [before, after].map((o) => local - o).filter((e) => zoneOffsetMs(e, timeZone) === local - e);
  if (valid.length > 0) return Math.min(...valid);
  return local - before;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `date` as the platform writes times: `yyyy-MM-dd HH:mm:ss` on the wall clock of `timeZone`. */
export function formatPlatformTime(date: Date, timeZone: string = PLATFORM_TIME_ZONE): string {
  const w = wallTimeAt(date.getTime(), timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function validWallTime(w: WallTime): boolean {
  return (
    w.month >= 1 && w.month <= 12 &&
    w.day >= 1 && w.day <= daysInMonth(w.year, w.month) &&
    w.hour >= 0 && w.hour <= 23 &&
    w.minute >= 0 && w.minute <= 59 &&
    w.second >= 0 && w.second <= 59
  );
}

/** yyyy-MM-dd[(T| )HH:mm[:ss[.fff]]][Z|±HH[:]mm] */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function fractionToMs(fraction: string | undefined): number {
  return fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
}

function offsetToMs(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return Number.NaN;
  return sign * (hours * HOUR_MS + minutes * 60_000);
}

/** Parses the text forms; undefined when `text` is none of them. */
function parseDateText(text: string, timeZone: string): number | undefined {
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const w: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: fractionToMs(m[7]),
  };
  if (!validWallTime(w)) return undefined;
  if (m[8] === undefined) return wallTimeToEpoch(w, timeZone);
  const offset = offsetToMs(m[8]);
  return Number.isNaN(offset) ? undefined : wallAsUtc(w) - offset;
}

/**
 * A user-given time as a Date: a Date, epoch ms (number or numeric string), ISO 8601 (an
 * offset-less ISO text and a plain date are read in `timeZone`) or `yyyy-MM-dd HH:mm:ss` read in
 * `timeZone`. Anything else throws INVALID_INPUT naming `field`.
 */
export function parseTimeInput(v: unknown, timeZone: string = PLATFORM_TIME_ZONE, lang?: Lang, field = 'time'): Date {
  if (!isValidTimeZone(timeZone)) throw invalidInput(lang, 'timezone', 'input.invalid', { reason: String(timeZone) });
  let epoch: number | undefined;
  if (v instanceof Date) epoch = v.getTime();
  else if (typeof v === 'number') epoch = v;
  else if (typeof v === 'string') epoch = parseDateText(v.trim(), timeZone);
  if (epoch === undefined || !Number.isFinite(epoch) || Number.isNaN(new Date(epoch).getTime())) {
    throw invalidInput(lang, field, 'input.date');
  }
  return new Date(epoch);
}

/** yyyy.MM.dd HH:mm:ss[.SSS] (also with `-` between the date fields). */
const EVENT_TIMESTAMP = /^(\d{4})[.-](\d{2})[.-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/**
 * An event `timestamp` (`2018.06.12 11:33:56.368`, China time) as a Date; epoch ms numbers are
 * accepted too. Undefined when it cannot be read.
 */
export function parseEventTimestamp(v: unknown, timeZone: string = PLATFORM_TIME_ZONE): Date | undefined {
  const ms = eventTimestampMs(v, timeZone);
  return ms === undefined ? undefined : new Date(ms);
}

/** parseEventTimestamp as epoch ms, without the Date (undefined when it cannot be read). */
export function eventTimestampMs(v: unknown, timeZone: string = PLATFORM_TIME_ZONE): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? new Date(v).getTime() : undefined;
  if (typeof v !== 'string') return undefined;
  const m = EVENT_TIMESTAMP.exec(v.trim());
  if (!m) return undefined;
  const w: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
    millisecond: fractionToMs(m[7]),
  };
  if (!validWallTime(w)) return undefined;
  return wallTimeToEpoch(w, timeZone);
}
