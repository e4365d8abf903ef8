/**
 * Roster (call list) upload, usable without Node-RED (API.md §8).
 *
 * - `prepareRoster(input)` takes text, a Buffer or an array of row objects; `prepareRosterFile(path)`
 *   a file on disk, read as a stream. Both check every row first (a bad row throws INVALID_INPUT
 *   naming the row and the field, and nothing is uploaded), count duplicate rows, and cut the roster
 *   at line boundaries into parts of at most `maxPartBytes` (default 10 MB, the platform limit on the
 *   file; the multipart envelope is not counted).
 * - `uploadRosterParts(client, roster)` uploads the parts one after the other, one batch each, and
 *   reports a failure after the first part with the batches already created (`err.details.uploaded`).
 *
 * Text is UTF-8 (a BOM is skipped); lines end with LF or CRLF.
 */
import { createReadStream, promises as fsp } from 'fs';
import * as path from 'path';
import type { FileHandle } from 'fs/promises';
import { Readable } from 'stream';
import { WellcloudError, invalidInput, isWellcloudError } from './errors';
import { listText, t, type Lang } from './i18n';
import type { DuplicateTracker } from './roster-hash';
import './roster-messages';
import { serialiseRows } from './roster-rows';
import { RosterScanner, rowError, type ScanPart } from './roster-scan';
import type { RosterUploadResult, WellcloudApi } from './types';
import { isWellFormedText } from './validate';

export { rowToLine, type RosterRow } from './roster-rows';

/**
 * The platform's upload limit: "文件大小不要超过10MB" (guide 5.2.2). Read as the smaller 10,000,000
 * bytes, so that a full part is within the limit whether the platform counts MB or MiB; a part the
 * platform refused would come after earlier batches were already created.
 */
export const ROSTER_MAX_BYTES = 10_000_000;

const BOM = [0xef, 0xbb, 0xbf];
const READ_CHUNK = 1024 * 1024;
const SHOWN_DUPLICATES = 10;

export type RosterInput = string | Buffer | readonly unknown[];

export interface RosterPart {
  /** 0-based position of the part. */
  index: number;
  rows: number;
  /** Row (line) numbers of the first and last row in the part, 1-based. */
  firstRow: number;
  lastRow: number;
  bytes: number;
  /** In-memory content, or a factory of a fresh stream of the part (file input). */
  content: Buffer | (() => Readable);
}

export interface DuplicateReport {
  count: number;
  /** Row numbers of the first few rows that repeat an earlier row. */
  rows: number[];
}

export interface PreparedRoster {
  rows: number;
  bytes: number;
  parts: RosterPart[];
  duplicates: DuplicateReport;
  /** Name given to the uploaded file part (txt, csv or dat). */
  filename: string;
  /** Throws when the source changed since it was checked (file input). */
  verify?: () => Promise<void>;
}

export interface PrepareOptions {
  lang?: Lang;
  /** Largest part in bytes (default ROSTER_MAX_BYTES). */
  maxPartBytes?: number;
  /** Aborts reading a file. */
  signal?: AbortSignal;
}

export interface UploadedBatch {
  /** 0-based index of the part. */
  index: number;
  alias: string | null;
  batchId: string;
  batchName: string;
  rows: number;
  firstRow: number;
  lastRow: number;
}

export interface UploadRosterOptions {
  alias?: string;
  templateId?: string;
  signal?: AbortSignal;
  lang?: Lang;
  /** Called before each part is sent (index 0-based). */
  onProgress?: (index: number, count: number) => void;
  /** Called as soon as a batch was created. */
  onBatch?: (batch: UploadedBatch, count: number) => void;
}

function duplicateReport(d: DuplicateTracker): DuplicateReport {
  return { count: d.count, rows: d.rows.slice() };
}

function maxBytes(opts: PrepareOptions): number {
  const m = opts.maxPartBytes ?? ROSTER_MAX_BYTES;
  return Number.isInteger(m) && m > 0 ? m : ROSTER_MAX_BYTES;
}

function bomLength(b: Uint8Array): number {
  return b.length >= 3 && b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2] ? 3 : 0;
}

function emptyRoster(lang: Lang | undefined, field: string): WellcloudError {
  return invalidInput(lang, field, 'roster.empty');
}

function fromScan(parts: ScanPart[], content: (p: ScanPart) => Buffer | (() => Readable)): RosterPart[] {
  return parts.map((p, index) => ({ index, rows: p.rows, firstRow: p.firstRow, lastRow: p.lastRow, bytes: p.bytes, content: content(p) }));
}

/** A part of an in-memory roster: a view of the Buffer, or a copy when blank lines were left out. */
function bufferPart(buf: Buffer, p: ScanPart): Buffer {
  const s = p.segments;
  if (s.length === 2) return buf.subarray(s[0], s[1]);
  const pieces: Buffer[] = [];
  for (let i = 0; i < s.length; i += 2) pieces.push(buf.subarray(s[i], s[i + 1]));
  return Buffer.concat(pieces, p.bytes);
}

/**
 * Destroys a stream and resolves once it has closed: for a file stream, once its descriptor is
 * released (destroy() alone only starts that).
 */
export function closeStream(stream: Readable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

/** A fresh stream of a part of a file: one read stream, or several in a row when blank lines were left out. */
function filePart(file: string, p: ScanPart): () => Readable {
  const s = p.segments;
  if (s.length === 2) return () => createReadStream(file, { start: s[0], end: s[1] - 1 });
  return () =>
    Readable.from(
      (async function* ranges() {
        for (let i = 0; i < s.length; i += 2) {
          const range = createReadStream(file, { start: s[i], end: s[i + 1] - 1 });
          try {
            yield* range;
          } finally {
            // the outer stream closes only after this range's descriptor is released
            await closeStream(range);
          }
        }
      })(),
      { objectMode: false },
    );
}

function prepareBuffer(buf: Buffer, opts: PrepareOptions): PreparedRoster {
  const start = bomLength(buf);
  const scanner = new RosterScanner(opts.lang, maxBytes(opts), start);
  scanner.push(start ? buf.subarray(start) : buf);
  const parts = scanner.end();
  if (scanner.rows === 0) throw emptyRoster(opts.lang, 'payload');
  const out = fromScan(parts, (p) => bufferPart(buf, p));
  return { rows: scanner.rows, bytes: sum(out), parts: out, duplicates: duplicateReport(scanner.duplicates), filename: 'roster.txt' };
}

function sum(parts: RosterPart[]): number {
  let n = 0;
  for (const p of parts) n += p.bytes;
  return n;
}

/**
 * Checks and splits a roster held in memory: platform-format text, the same as a Buffer, or an
 * array of row objects. Throws INVALID_INPUT (field `payload` or the row's column, `details.row`).
 */
export function prepareRoster(input: RosterInput, opts: PrepareOptions = {}): PreparedRoster {
  if (Array.isArray(input)) {
    const r = serialiseRows(input, maxBytes(opts), opts.lang);
    if (r.rows === 0) throw emptyRoster(opts.lang, 'payload');
    const parts: RosterPart[] = r.parts.map((p, index) => ({ index, rows: p.rows, firstRow: p.firstRow, lastRow: p.lastRow, bytes: p.content.length, content: p.content }));
    return { rows: r.rows, bytes: sum(parts), parts, duplicates: duplicateReport(r.duplicates), filename: 'roster.txt' };
  }
  if (Buffer.isBuffer(input)) return prepareBuffer(input, opts);
  if (typeof input === 'string') return isWellFormedText(input) ? prepareBuffer(Buffer.from(input, 'utf8'), opts) : prepareBrokenText(input, opts);
  throw invalidInput(opts.lang, 'payload', 'roster.input');
}

/**
 * Text holding half of a surrogate pair: UTF-8 would write U+FFFD for it, changing the row. Each
 * such unit becomes a byte no UTF-8 has, so the rows are checked in order as usual and the first
 * row holding one fails, saying why.
 */
function prepareBrokenText(input: string, opts: PrepareOptions): PreparedRoster {
  const pieces: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const pair = c <= 0xdbff && (input.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      i++;
      continue;
    }
    pieces.push(Buffer.from(input.slice(from, i), 'utf8'), Buffer.from([0xff]));
    from = i + 1;
  }
  pieces.push(Buffer.from(input.slice(from), 'utf8'));
  try {
    return prepareBuffer(Buffer.concat(pieces), opts);
  } catch (e) {
    // the only bytes that are no UTF-8 here are those made above
    const row = isWellcloudError(e) ? e.details?.row : undefined;
    if (typeof row === 'number' && e instanceof WellcloudError && e.message === t(opts.lang, 'roster.row.utf8', { row })) throw rowError(opts.lang, row, 'row', 'roster.row.unicodeText');
    throw e;
  }
}

/** The file name sent to the platform: the file's own when it is plain ASCII, with a txt/csv/dat extension. */
export function uploadName(file: string): string {
  const base = path.basename(file);
  const ext = path.extname(base).toLowerCase();
  const okExt = ext === '.txt' || ext === '.csv' || ext === '.dat';
  if (/^[A-Za-z0-9._-]+$/.test(base) && okExt) return base;
  return `roster${okExt ? ext : '.txt'}`;
}

function fileError(lang: Lang | undefined, file: string, e: unknown): WellcloudError {
  const reason = (e as NodeJS.ErrnoException)?.code ?? String((e as Error)?.message ?? e);
  return invalidInput(lang, 'filename', 'roster.file', { file, reason });
}

async function readHead(file: string, lang: Lang | undefined): Promise<{ bom: number; size: number; mtimeMs: number }> {
  let fh: FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'r');
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    const head = Buffer.alloc(3);
    const { bytesRead } = await fh.read(head, 0, 3, 0);
    return { bom: bomLength(head.subarray(0, bytesRead)), size: st.size, mtimeMs: st.mtimeMs };
  } catch (e) {
    throw fileError(lang, file, e);
  } finally {
    await fh?.close();
  }
}

/**
 * Checks and splits a roster file in one streaming pass (the file is never held in memory);
 * each part is then uploaded from its own read stream of the file.
 */
export async function prepareRosterFile(file: string, opts: PrepareOptions = {}): Promise<PreparedRoster> {
  const { lang, signal } = opts;
  if (typeof file !== 'string' || file.trim() === '') throw invalidInput(lang, 'filename', 'input.string');
  const head = await readHead(file, lang);
  const scanner = new RosterScanner(lang, maxBytes(opts), head.bom);
  const stream = createReadStream(file, { start: head.bom, highWaterMark: READ_CHUNK });
  const onAbort = (): void => {
    stream.destroy(Object.assign(new Error('aborted'), { code: 'ABORTED' }));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) onAbort();
    for await (const chunk of stream) scanner.push(chunk as Buffer);
  } catch (e) {
    if (isWellcloudError(e)) throw e;
    if ((e as { code?: string }).code === 'ABORTED') throw new WellcloudError({ code: 'ABORTED', message: t(lang, 'net.ABORTED') });
    throw fileError(lang, file, e);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await closeStream(stream);
  }
  const parts = scanner.end();
  if (scanner.rows === 0) throw emptyRoster(lang, 'filename');
  const out = fromScan(parts, (p) => filePart(file, p));
  const verify = async (): Promise<void> => {
    let st;
    try {
      st = await fsp.stat(file);
    } catch (e) {
      throw fileError(lang, file, e);
    }
    if (st.size !== head.size || st.mtimeMs !== head.mtimeMs) {
      throw new WellcloudError({ code: 'INVALID_INPUT', field: 'filename', message: t(lang, 'roster.fileChanged', { file }) });
    }
  };
  return { rows: scanner.rows, bytes: sum(out), parts: out, duplicates: duplicateReport(scanner.duplicates), filename: uploadName(file), verify };
}

/** The duplicate warning text, or undefined when there is none. */
export function duplicatesWarning(lang: Lang | undefined, d: DuplicateReport): string | undefined {
  if (d.count === 0) return undefined;
  const shown = listText(lang, d.rows.slice(0, SHOWN_DUPLICATES));
  return t(lang, 'roster.duplicates', { count: d.count, rows: shown, more: d.count > d.rows.length ? t(lang, 'roster.duplicatesMore') : '' });
}

/** Keeps every stream a part factory opened, so none is left open whatever the request did. */
function trackedContent(part: RosterPart, opened: Readable[]): Buffer | (() => Readable) {
  const c = part.content;
  if (Buffer.isBuffer(c)) return c;
  return () => {
    const s = c();
    opened.push(s);
    return s;
  };
}

/** The error of a failed part when other parts exist: the same code and platform answer, plus what was uploaded. */
function batchFailure(lang: Lang | undefined, err: WellcloudError, part: RosterPart, count: number, done: UploadedBatch[]): WellcloudError {
  const uploaded = done.length ? listText(lang, done.map((b) => b.batchId)) : t(lang, 'roster.noneUploaded');
  return new WellcloudError({
    code: err.code,
    status: err.status,
    errorCode: err.errorCode,
    errorMessage: err.errorMessage,
    instanceId: err.instanceId,
    exceptionName: err.exceptionName,
    field: err.field,
    message: t(lang, 'roster.batchFailed', { index: part.index + 1, count, reason: err.message, uploaded }),
    details: {
      ...(err.details ?? {}),
      uploaded: done.map((b) => ({ ...b })),
      failedPart: { index: part.index, firstRow: part.firstRow, lastRow: part.lastRow, rows: part.rows },
      count,
    },
  });
}

function toBatch(part: RosterPart, r: RosterUploadResult, alias: string | undefined): UploadedBatch {
  return {
    index: part.index,
    alias: r.alias ?? alias ?? null,
    batchId: r.batchId,
    batchName: r.batchName,
    rows: part.rows,
    firstRow: part.firstRow,
    lastRow: part.lastRow,
  };
}

/**
 * Uploads the parts in order, one batch each, all with the same alias. Never retried (a retry
 * creates another batch): after the first part, a failure lists the created batches in
 * `err.details.uploaded` so nothing is lost silently.
 */
export async function uploadRosterParts(client: Pick<WellcloudApi, 'uploadRoster'>, roster: PreparedRoster, opts: UploadRosterOptions = {}): Promise<UploadedBatch[]> {
  const count = roster.parts.length;
  const done: UploadedBatch[] = [];
  for (const part of roster.parts) {
    const opened: Readable[] = [];
    try {
      if (opts.signal?.aborted) throw new WellcloudError({ code: 'ABORTED', message: t(opts.lang, 'net.ABORTED') });
      opts.onProgress?.(part.index, count);
      if (roster.verify) await roster.verify();
      const r = await client.uploadRoster(trackedContent(part, opened), {
        alias: opts.alias,
        templateId: opts.templateId,
        filename: roster.filename,
        knownLength: part.bytes,
        signal: opts.signal,
      });
      const batch = toBatch(part, r, opts.alias);
      done.push(batch);
      opts.onBatch?.(batch, count);
    } catch (e) {
      if (count === 1 || !isWellcloudError(e)) throw e;
      throw batchFailure(opts.lang, e, part, count, done);
    } finally {
      // closed before going on (or failing): no descriptor of the file is left open behind the result
      await Promise.all(opened.map(closeStream));
    }
  }
  return done;
}
