/**
 * One pass over roster text as bytes (a Buffer or the chunks of a file stream): validates every
 * line of the platform format `rosterId,prdType,number[,customerId[,key:value|key:value]]`,
 * fingerprints rows for the duplicate warning, and records where the text must be cut so that
 * each part stays within the upload limit, at line boundaries. It keeps no line in memory, so a
 * file of any size is checked in constant memory.
 *
 * Rows are numbered by line (1-based, blank lines counted), so "row 17" is line 17 of the file.
 * Blank lines (empty or only white space: what JavaScript's trim() removes, full-width spaces too)
 * are not rows and are left out of the upload, since
 * the platform rejects them.
 */
import { WellcloudError } from './errors';
import { t, type Lang } from './i18n';
import { DuplicateTracker, FNV_SEED, MUL_SEED } from './roster-hash';
import './roster-messages';

/**
 * Whole lines of the source that go into one upload: byte ranges [start, end) as a flat list
 * `[start0, end0, start1, end1, ...]` (more than one range only when blank lines are left out).
 */
export interface ScanPart {
  segments: number[];
  bytes: number;
  rows: number;
  firstRow: number;
  lastRow: number;
}

export const FIELD_NAMES = ['rosterId', 'prdType', 'number', 'customerId', 'data'] as const;

const LF = 10;
const CR = 13;
const COMMA = 44;
const COLON = 58;
const PIPE = 124;
const PLUS = 43;
const ZERO = 48;
const NINE = 57;
const SPACE = 32;
const TAB = 9;
const FF = 12;

/**
 * The UTF-8 bytes (as one number) of the non-ASCII characters JavaScript's trim() removes, and the
 * platform model, the sandbox, with it: U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000, U+FEFF. A required field made only of these is empty, as for rows given as objects.
 */
function isUnicodeSpace(seq: number): boolean {
  if (seq === 0xc2a0 || seq === 0xe19a80 || seq === 0xe38080 || seq === 0xefbbbf) return true;
  return (seq >= 0xe28080 && seq <= 0xe2808a) || seq === 0xe280a8 || seq === 0xe280a9 || seq === 0xe280af || seq === 0xe2819f;
}
/** The platform's number: 3 to 20 digits, optionally after a `+`. */
export const NUMBER_MIN_DIGITS = 3;
export const NUMBER_MAX_DIGITS = 20;

/** The INVALID_INPUT error of a row: `field` is the roster column (or `row`), `details.row` the line. */
export function rowError(lang: Lang | undefined, row: number, field: string, key: string, vars: Record<string, unknown> = {}): WellcloudError {
  return new WellcloudError({
    code: 'INVALID_INPUT',
    field,
    message: t(lang, key, { row, field, ...vars }),
    details: { row },
  });
}

export class RosterScanner {
  readonly parts: ScanPart[] = [];
  readonly duplicates = new DuplicateTracker();
  rows = 0;

  private pos: number;
  private line = 1;
  private lineStart: number;
  private field = 0;
  private fieldLen = 0;
  private fieldSolid = 0;
  private lineSolid = 0;
  private numDigits = 0;
  private numBad = false;
  private pairLen = 0;
  private pairNo = 1;
  private colons = 0;
  private keyLen = 0;
  private utfNeed = 0;
  private utfLo = 0x80;
  private utfHi = 0xbf;
  /** Bytes of the UTF-8 sequence being read, as one number (only up to 3 bytes matter). */
  private utfSeq = 0;
  private utfLen = 0;
  private cr = false;
  private h1 = FNV_SEED;
  private h2 = MUL_SEED;
  private cur: ScanPart | null = null;

  /** `start`: offset of the first byte that will be pushed (after a BOM, for instance). */
  constructor(
    private readonly lang: Lang | undefined,
    private readonly maxPartBytes: number,
    start = 0,
  ) {
    this.pos = start;
    this.lineStart = start;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i];
      if (b === LF) {
        this.endLine(this.cr ? this.pos - 1 : this.pos, this.pos + 1);
      } else {
        if (this.cr) throw rowError(this.lang, this.line, 'row', 'roster.row.cr');
        if (b === CR) this.cr = true;
        else this.content(b);
      }
      this.pos++;
    }
  }

  /**
   * Ends the text: the last line may lack its line feed. A carriage return left at the very end
   * (CRLF cut after the CR) ends that line like a CRLF would and is left out of the upload, since
   * the row was checked without it. Returns the parts.
   */
  end(): ScanPart[] {
    if (this.pos > this.lineStart) {
      const contentEnd = this.cr ? this.pos - 1 : this.pos;
      this.endLine(contentEnd, contentEnd);
    }
    if (this.cur) this.parts.push(this.cur);
    this.cur = null;
    return this.parts;
  }

  private content(b: number): void {
    this.h1 = Math.imul(this.h1 ^ b, 0x01000193);
    this.h2 = (Math.imul(this.h2, 31) + b) | 0;
    if (b >= 0x80 || this.utfNeed > 0) this.utf8(b);
    // space, tab, vertical tab, form feed (a line feed never gets here)
    if (b === SPACE || (b <= FF && b >= TAB)) {
      this.fieldLen++;
      if (this.field === 2) this.numBad = true;
      else if (this.field === 4) this.pairLen++;
      return;
    }
    this.lineSolid++;
    if (b === COMMA) {
      if (this.field < 5) this.endField();
      this.field++;
      return;
    }
    this.fieldSolid++;
    const f = this.field;
    if (f === 2) {
      if (b >= ZERO && b <= NINE) this.numDigits++;
      else if (b !== PLUS || this.fieldLen !== 0) this.numBad = true;
    } else if (f === 4) {
      if (b === PIPE) this.endPair();
      else {
        if (b === COLON && this.colons++ === 0) this.keyLen = this.pairLen;
        this.pairLen++;
      }
    }
    this.fieldLen++;
  }

  private utf8(b: number): void {
    if (this.utfNeed > 0) {
      if (b < this.utfLo || b > this.utfHi) throw rowError(this.lang, this.line, 'row', 'roster.row.utf8');
      this.utfNeed--;
      this.utfLo = 0x80;
      this.utfHi = 0xbf;
      this.utfSeq = (this.utfSeq << 8) | b;
      this.utfLen++;
      // white space is not content: take back what its bytes counted (content() counts every
      // byte, this last one right after this call)
      if (this.utfNeed === 0 && this.utfLen <= 3 && isUnicodeSpace(this.utfSeq)) {
        this.lineSolid -= this.utfLen;
        this.fieldSolid -= this.utfLen;
      }
      return;
    }
    this.utfSeq = b;
    this.utfLen = 1;
    if (b >= 0xc2 && b <= 0xdf) this.utfNeed = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      this.utfNeed = 2;
      if (b === 0xe0) this.utfLo = 0xa0;
      else if (b === 0xed) this.utfHi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      this.utfNeed = 3;
      if (b === 0xf0) this.utfLo = 0x90;
      else if (b === 0xf4) this.utfHi = 0x8f;
    } else throw rowError(this.lang, this.line, 'row', 'roster.row.utf8');
  }

  private endPair(): void {
    if (this.pairLen === 0 || this.colons !== 1 || this.keyLen === 0) {
      throw rowError(this.lang, this.line, 'data', 'roster.row.dataPair', { pair: this.pairNo });
    }
    this.pairNo++;
    this.pairLen = 0;
    this.colons = 0;
    this.keyLen = 0;
  }

  private endField(): void {
    const f = this.field;
    if (f <= 2 && this.fieldSolid === 0) throw rowError(this.lang, this.line, FIELD_NAMES[f], 'roster.row.required');
    if (f === 2 && (this.numBad || this.numDigits < NUMBER_MIN_DIGITS || this.numDigits > NUMBER_MAX_DIGITS)) {
      throw rowError(this.lang, this.line, 'number', 'roster.row.number', { min: NUMBER_MIN_DIGITS, max: NUMBER_MAX_DIGITS });
    }
    if (f === 4 && this.fieldLen > 0) this.endPair();
    this.fieldLen = 0;
    this.fieldSolid = 0;
  }

  private endLine(contentEnd: number, lineEnd: number): void {
    if (this.utfNeed > 0) throw rowError(this.lang, this.line, 'row', 'roster.row.utf8');
    if (contentEnd > this.lineStart && this.lineSolid > 0) this.addRow(lineEnd);
    this.line++;
    this.lineStart = lineEnd;
    this.field = 0;
    this.fieldLen = 0;
    this.fieldSolid = 0;
    this.lineSolid = 0;
    this.numDigits = 0;
    this.numBad = false;
    this.pairLen = 0;
    this.pairNo = 1;
    this.colons = 0;
    this.keyLen = 0;
    this.cr = false;
    this.h1 = FNV_SEED;
    this.h2 = MUL_SEED;
  }

  private addRow(lineEnd: number): void {
    const count = this.field + 1;
    if (count < 3 || count > 5) throw rowError(this.lang, this.line, 'row', 'roster.row.fieldCount', { count });
    this.endField();
    this.rows++;
    this.duplicates.check(this.h1, this.h2, this.line);
    const size = lineEnd - this.lineStart;
    if (size > this.maxPartBytes) throw rowError(this.lang, this.line, 'row', 'roster.row.tooLong', { max: this.maxPartBytes });
    if (this.cur && this.cur.bytes + size > this.maxPartBytes) {
      this.parts.push(this.cur);
      this.cur = null;
    }
    if (!this.cur) this.cur = { segments: [], bytes: 0, rows: 0, firstRow: this.line, lastRow: this.line };
    const segs = this.cur.segments;
    if (segs.length > 0 && segs[segs.length - 1] === this.lineStart) segs[segs.length - 1] = lineEnd;
    else segs.push(this.lineStart, lineEnd);
    this.cur.bytes += size;
    this.cur.rows++;
    this.cur.lastRow = this.line;
  }
}
