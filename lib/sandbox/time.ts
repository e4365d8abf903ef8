/**
 * China time (Asia/Shanghai, UTC+8 all year, no daylight saving) for the sandbox.
 * The platform reads and writes every time in China time; the sandbox keeps instants as
 * epoch milliseconds and converts only at its edges.
 */

export const CHINA_OFFSET_MS = 8 * 3600 * 1000;
export const DAY_MS = 24 * 3600 * 1000;

/** Calendar fields of an instant, read in China time. */
export interface ChinaFields {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

export function chinaFields(ms: number): ChinaFields {
  const d = new Date(ms + CHINA_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    ms: d.getUTCMilliseconds(),
  };
}

/** Date.UTC, but the years 0 to 99 are those years, not 1900 to 1999. */
function utc(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year < 0 || year > 99) return Date.UTC(year, month0, day, hour, minute, second, ms);
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

/** The instant of a China wall-clock time (month 1..12; out-of-range values roll over like Date.UTC). */
export function chinaInstant(year: number, month: number, day = 1, hour = 0, minute = 0, second = 0, ms = 0): number {
  return utc(year, month - 1, day, hour, minute, second, ms) - CHINA_OFFSET_MS;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `yyyy-MM-dd HH:mm:ss`, the format of CDR and recording times (four-digit years: 0500, not 500). */
export function formatChina(ms: number): string {
  const f = chinaFields(ms);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
}

/** `yyyy.MM.dd HH:mm:ss.SSS`, the format of event timestamps. */
export function formatEventTime(ms: number): string {
  const f = chinaFields(ms);
  return `${pad(f.year, 4)}.${pad(f.month)}.${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}.${pad(f.ms, 3)}`;
}

/** `yyyyMMddHHmmssSSS`, used in generated batch names. */
export function formatCompact(ms: number): string {
  const f = chinaFields(ms);
  return `${f.year}${pad(f.month)}${pad(f.day)}${pad(f.hour)}${pad(f.minute)}${pad(f.second)}${pad(f.ms, 3)}`;
}

/** `yyyyMMdd` of the China day. */
export function formatDayId(ms: number): string {
  const f = chinaFields(ms);
  return `${f.year}${pad(f.month)}${pad(f.day)}`;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

function validFields(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && s <= 59;
}

/** Strict `yyyy-MM-dd HH:mm:ss` (China time) to epoch ms; undefined when malformed or not a real date. */
export function parseChina(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (!validFields(y, mo, d, h, mi, s)) return undefined;
  return chinaInstant(y, mo, d, h, mi, s);
}

/** `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss` (China time); a date alone means its first (or, with endOfDay, last) second. */
export function parseChinaDateOrTime(text: string, endOfDay = false): number | undefined {
  const m = DATE_ONLY.exec(text);
  if (!m) return parseChina(text);
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  if (!validFields(y, mo, d, 0, 0, 0)) return undefined;
  return endOfDay ? chinaInstant(y, mo, d, 23, 59, 59) : chinaInstant(y, mo, d);
}

/** Start (00:00:00.000) of the China day holding `ms`. */
export function chinaDayStart(ms: number): number {
  return Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
}

/** Start of the China calendar month holding `ms`. */
export function chinaMonthStart(ms: number): number {
  const f = chinaFields(ms);
  return chinaInstant(f.year, f.month, 1);
}

/** Start of the China calendar month after the one holding `ms`. */
export function nextChinaMonthStart(ms: number): number {
  const f = chinaFields(ms);
  return chinaInstant(f.year, f.month + 1, 1);
}

/** True when `ms` is the first day of a China month. */
export function isFirstDayOfMonth(ms: number): boolean {
  return chinaFields(ms).day === 1;
}

/** True when `ms` lies on the last day of its China month. */
export function isLastDayOfMonth(ms: number): boolean {
  const f = chinaFields(ms);
  return f.day === daysInMonth(f.year, f.month);
}
