/**
 * Rows given as objects `{rosterId, prdType, number, customerId?, data?}`: validated, written in
 * the platform's line format straight into part-sized Buffers (no intermediate array of lines),
 * and cut at the upload limit. A million rows take well under a second.
 */
import type { Lang } from './i18n';
import { DuplicateTracker, FNV_SEED, MUL_SEED } from './roster-hash';
import { NUMBER_MAX_DIGITS, NUMBER_MIN_DIGITS, rowError } from './roster-scan';
import { isWellcloudError } from './errors';
import { isExactNumber, thrownText } from './validate';

/** One roster row as an object. Numbers are accepted where the platform expects text. */
export interface RosterRow {
  rosterId: string | number;
  prdType: string | number;
  number: string | number;
  customerId?: string | number | null;
  /** Call-attached data: keys and values may contain none of `,` `:` `|`. */
  data?: Record<string, string | number | boolean> | null;
}

export interface RowsPart {
  content: Buffer;
  rows: number;
  firstRow: number;
  lastRow: number;
}

export interface RowsResult {
  parts: RowsPart[];
  rows: number;
  duplicates: DuplicateTracker;
}

const hasOwn = Object.prototype.hasOwnProperty;
const MIN_BUFFER = 64 * 1024;
const EMPTY = Buffer.alloc(0);
/** A part buffer is copied to its exact size when more than half of it (and over this) is unused. */
const MIN_SLACK = 64 * 1024;

/** The first part's buffer: the whole roster's likely size (from the first row), within bounds. */
function firstCapacity(line: string, rows: number, maxPartBytes: number): number {
  const guess = Math.ceil((Buffer.byteLength(line) + 1) * rows * 1.25);
  return Math.min(maxPartBytes, Math.max(MIN_BUFFER, guess));
}

/** A plain field (rosterId, prdType, customerId) as text; '' when absent. */
function plainField(lang: Lang | undefined, row: number, name: string, v: unknown, required: boolean): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' && Number.isFinite(v)) {
    if (!isExactNumber(v)) throw rowError(lang, row, name, 'roster.row.inexact', { value: v });
    s = String(v);
  } else if (v === undefined || v === null) s = '';
  else throw rowError(lang, row, name, 'roster.row.type');
  if (s.length === 0 || (required && s.trim().length === 0)) {
    if (required) throw rowError(lang, row, name, 'roster.row.required');
    return s;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44) throw rowError(lang, row, name, 'roster.row.comma');
    if (c === 10 || c === 13) throw rowError(lang, row, name, 'roster.row.newline');
    if (c >= 0xd800 && c <= 0xdfff && loneSurrogateAt(s, i, c)) throw rowError(lang, row, name, 'roster.row.unicode');
  }
  return s;
}

/**
 * True when the surrogate `c` at `i` is half of no pair (text cut in the middle of an emoji): UTF-8
 * has no bytes for it, so the upload would carry U+FFFD instead.
 */
function loneSurrogateAt(s: string, i: number, c: number): boolean {
  if (c <= 0xdbff) {
    const next = s.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
  return !(prev >= 0xd800 && prev <= 0xdbff);
}

function numberError(lang: Lang | undefined, row: number): Error {
  return rowError(lang, row, 'number', 'roster.row.number', { min: NUMBER_MIN_DIGITS, max: NUMBER_MAX_DIGITS });
}

function numberField(lang: Lang | undefined, row: number, v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) {
    // 13912345678901234567 reads as ...234000: another person's number
    if (!Number.isSafeInteger(v)) throw rowError(lang, row, 'number', 'roster.row.inexact', { value: v });
    s = String(v);
  } else if (v === undefined || v === null) s = '';
  else throw numberError(lang, row);
  if (s.length === 0) throw rowError(lang, row, 'number', 'roster.row.required');
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 43 || i !== 0) throw numberError(lang, row);
  }
  if (digits < NUMBER_MIN_DIGITS || digits > NUMBER_MAX_DIGITS) throw numberError(lang, row);
  return s;
}

/** A data key or value: none of , : | or a line break. `key` names the field `data.<key>` on failure. */
function dataChars(lang: Lang | undefined, row: number, key: string, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 58 || c === 124) throw rowError(lang, row, `data.${key}`, 'roster.row.dataChar');
    if (c === 10 || c === 13) throw rowError(lang, row, `data.${key}`, 'roster.row.newline');
    if (c >= 0xd800 && c <= 0xdfff && loneSurrogateAt(s, i, c)) throw rowError(lang, row, `data.${key}`, 'roster.row.unicode');
  }
}

/** `obj[key]` of a row; a getter or proxy that throws on the read fails the row naming `field`. */
function read(lang: Lang | undefined, row: number, obj: object, key: string, field: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (e) {
    throw rowError(lang, row, field, 'roster.row.unreadable', { detail: thrownText(e) });
  }
}

function dataField(lang: Lang | undefined, row: number, d: unknown): string {
  if (d === undefined || d === null) return '';
  if (typeof d !== 'object' || Array.isArray(d) || Buffer.isBuffer(d)) throw rowError(lang, row, 'data', 'roster.row.dataObject');
  try {
    return dataText(lang, row, d as Record<string, unknown>);
  } catch (e) {
    // the row's own errors pass; a proxy whose key listing throws fails the row the same way
    if (isWellcloudError(e)) throw e;
    throw rowError(lang, row, 'data', 'roster.row.unreadable', { detail: thrownText(e) });
  }
}

function dataText(lang: Lang | undefined, row: number, obj: Record<string, unknown>): string {
  let out = '';
  for (const k in obj) {
    if (!hasOwn.call(obj, k)) continue;
    if (k.length === 0) throw rowError(lang, row, 'data', 'roster.row.dataKey');
    dataChars(lang, row, k, k);
    const v = read(lang, row, obj, k, `data.${k}`);
    let s: string;
    if (typeof v === 'string') s = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') s = String(v);
    else throw rowError(lang, row, `data.${k}`, 'roster.row.dataValue');
    dataChars(lang, row, k, s);
    out = out.length === 0 ? `${k}:${s}` : `${out}|${k}:${s}`;
  }
  return out;
}

/** One row as a line of the platform format (without the line feed). `row` is its 1-based number. */
export function rowToLine(value: unknown, row: number, lang?: Lang): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw rowError(lang, row, 'row', 'roster.row.object');
  }
  const rosterId = plainField(lang, row, 'rosterId', read(lang, row, value, 'rosterId', 'rosterId'), true);
  const prdType = plainField(lang, row, 'prdType', read(lang, row, value, 'prdType', 'prdType'), true);
  const num = numberField(lang, row, read(lang, row, value, 'number', 'number'));
  const customerId = plainField(lang, row, 'customerId', read(lang, row, value, 'customerId', 'customerId'), false);
  const data = dataField(lang, row, read(lang, row, value, 'data', 'data'));
  const head = `${rosterId},${prdType},${num}`;
  if (data.length > 0) return `${head},${customerId},${data}`;
  return customerId.length > 0 ? `${head},${customerId}` : head;
}

/** Validates, serialises and splits an array of rows. Throws (naming row and field) before anything else happens. */
export function serialiseRows(rows: readonly unknown[], maxPartBytes: number, lang?: Lang): RowsResult {
  const duplicates = new DuplicateTracker(rows.length);
  const parts: RowsPart[] = [];
  // The first buffer is sized from the first row's length so that growing (and its garbage) is
  // rare; the next ones are full-sized since more rows follow.
  let buf = EMPTY;
  let off = 0;
  let partRows = 0;
  let firstRow = 1;

  const finish = (): void => {
    const slack = buf.length - off;
    const content = slack > MIN_SLACK && slack > off ? Buffer.from(buf.subarray(0, off)) : buf.subarray(0, off);
    parts.push({ content, rows: partRows, firstRow, lastRow: firstRow + partRows - 1 });
    buf = EMPTY;
    off = 0;
    partRows = 0;
  };

  for (let i = 0; i < rows.length; i++) {
    const row = i + 1;
    let value: unknown;
    try {
      value = rows[i];
    } catch (e) {
      throw rowError(lang, row, 'row', 'roster.row.unreadable', { detail: thrownText(e) });
    }
    const line = rowToLine(value, row, lang);
    if (buf === EMPTY) buf = Buffer.allocUnsafe(firstCapacity(line, rows.length, maxPartBytes));
    let h1 = FNV_SEED;
    let h2 = MUL_SEED;
    for (let k = 0; k < line.length; k++) {
      const c = line.charCodeAt(k);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = (Math.imul(h2, 31) + c) | 0;
    }
    duplicates.check(h1, h2, row);

    // UTF-8 needs at most 3 bytes per UTF-16 unit: only measure exactly near the end of a part.
    const worst = line.length * 3 + 1;
    while (off + worst > buf.length && buf.length < maxPartBytes) {
      const bigger = Buffer.allocUnsafe(Math.min(maxPartBytes, buf.length * 2));
      buf.copy(bigger, 0, 0, off);
      buf = bigger;
    }
    if (off + worst > buf.length) {
      const exact = Buffer.byteLength(line) + 1;
      if (exact > maxPartBytes) throw rowError(lang, row, 'row', 'roster.row.tooLong', { max: maxPartBytes });
      if (off + exact > buf.length) {
        finish();
        firstRow = row;
        buf = Buffer.allocUnsafe(maxPartBytes);
      }
    }
    off += buf.write(line, off);
    buf[off++] = 10;
    partRows++;
  }
  if (partRows > 0) finish();
  return { parts, rows: rows.length, duplicates };
}
