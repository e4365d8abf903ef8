/**
 * Recordings (API.md 1-3) above the client: input checks, the redirect URL, and the audio as a
 * Buffer or streamed to a file. A file is written under a temporary name in its directory and
 * renamed when complete; on any failure or abort the partial file is removed. The audio is never
 * held whole in memory on the way to a file (stream.pipeline, no per-chunk copies).
 */
import { randomBytes } from 'crypto';
import { once } from 'events';
import { promises as fsp, createWriteStream, type WriteStream } from 'fs';
import path from 'path';
import { addAbortSignal } from 'stream';
import { pipeline } from 'stream/promises';
import { WellcloudError, invalidInput, isWellcloudError } from './errors';
import { type Lang, addMessages, t } from './i18n';
import type { AudioQuery, AudioRedirect, AudioStream, RecordingRecord, RequestOptions, WellcloudApi } from './types';
import { isPlainObject, isWellFormedText, oneOf, optionalString, type Obj } from './validate';

export type AudioFormat = 'mp3' | 'wav';
export const AUDIO_FORMATS: readonly AudioFormat[] = ['mp3', 'wav'];

/** Which audio: the merged audio of a call (API.md 1) or one recording (API.md 3). */
export type AudioTarget = { callId: string; recordingId?: undefined } | { recordingId: string; callId?: undefined };

export interface SavedAudio {
  /** Absolute path of the written file. */
  path: string;
  bytes: number;
  contentType: string;
}

export interface BufferedAudio {
  buffer: Buffer;
  contentType: string;
}

export interface AudioOptions extends RequestOptions {
  /** Language of the errors this module makes (default en-US). */
  lang?: Lang;
}

type AudioClient = Pick<WellcloudApi, 'getCallAudio' | 'getRecordingAudio'>;

addMessages('en-US', {
  'recording.fileError': 'Cannot write the recording to {path}: {detail}',
  'recording.truncated': 'The download ended after {bytes} of {expected} bytes; nothing was saved.',
  'recording.noRedirect': 'The platform sent the audio itself instead of a redirect (isDownload=2), so there is no URL to give.',
  'recording.notAudio': 'The platform answered with {contentType} instead of audio; nothing was saved.',
});
addMessages('zh-CN', {
  'recording.fileError': '无法将录音写入 {path}：{detail}',
  'recording.truncated': '下载在 {bytes}/{expected} 字节处中断，未保存任何内容。',
  'recording.noRedirect': '平台直接返回了音频而不是重定向（isDownload=2），因此没有可用的地址。',
  'recording.notAudio': '平台返回的是 {contentType} 而不是音频，未保存任何内容。',
});

function asObject(input: unknown): Obj {
  return isPlainObject(input) ? input : {};
}

/** `mp3` (default) or `wav`, case-insensitive. */
export function prepareFormat(lang: Lang | undefined, input: unknown): AudioFormat {
  const o = asObject(input);
  const v = o.format;
  const lower = typeof v === 'string' ? { format: v.trim().toLowerCase() } : o;
  return oneOf(lang, lower, 'format', AUDIO_FORMATS, { optional: true }) ?? 'mp3';
}

/**
 * `recordingId` of the single-recording operation; a recording record from the list operation
 * (which names it `id`) is accepted as it is.
 */
export function prepareRecordingId(lang: Lang | undefined, input: unknown): string {
  const o = asObject(input);
  const id = optionalString(lang, o, 'recordingId') ?? optionalString(lang, o, 'id');
  if (id === undefined) throw invalidInput(lang, 'recordingId', 'input.required');
  return id;
}

export function audioQuery(format: AudioFormat, isDownload: 0 | 1 | 2): AudioQuery {
  return { isDownload, isWav: format === 'wav' ? 1 : 0 };
}

/** A file name for the audio: `<callId or recordingId>.<mp3|wav>`, limited to safe characters. */
export function defaultFileName(target: AudioTarget, format: AudioFormat): string {
  const id = target.recordingId ?? target.callId ?? 'recording';
  return `${id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')}.${format}`;
}

/**
 * The absolute path to write to. `filename` may name a directory (it ends with a path separator
 * or is an existing directory): the file is then `<id>.<format>` inside it. Relative names are
 * resolved against `baseDir`.
 */
export async function resolveTargetPath(lang: Lang | undefined, filename: unknown, target: AudioTarget, format: AudioFormat, baseDir: string): Promise<string> {
  if (typeof filename !== 'string' || !filename.trim()) throw invalidInput(lang, 'filename', 'input.required');
  const name = filename.trim();
  if (name.includes('\0')) throw invalidInput(lang, 'filename', 'input.invalid', { reason: 'NUL' });
  // the file system would get U+FFFD instead, a file of another name than msg.payload.path says
  if (!isWellFormedText(name)) throw invalidInput(lang, 'filename', 'input.unicode');
  const full = path.resolve(baseDir, name);
  if (/[\\/]$/.test(name) || (await isDirectory(full))) return path.join(full, defaultFileName(target, format));
  return full;
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The recording records of a call (API.md 2), always an array. */
export function listRecordings(client: Pick<WellcloudApi, 'listCallRecordings'>, callId: string, opts: RequestOptions = {}): Promise<RecordingRecord[]> {
  return client.listCallRecordings(callId, opts);
}

/** Asks for the audio (API.md 1 or 3). */
export function requestAudio(client: AudioClient, target: AudioTarget, q: AudioQuery, opts: RequestOptions = {}): Promise<AudioStream | AudioRedirect> {
  const req: RequestOptions = {};
  if (opts.signal) req.signal = opts.signal;
  if (opts.timeout !== undefined) req.timeout = opts.timeout;
  return target.recordingId !== undefined ? client.getRecordingAudio(target.recordingId, q, req) : client.getCallAudio(target.callId, q, req);
}

/** isDownload=2: the location the platform redirects to; nothing is downloaded. */
export async function audioUrl(client: AudioClient, target: AudioTarget, format: AudioFormat, opts: AudioOptions = {}): Promise<string> {
  const answer = await requestAudio(client, target, audioQuery(format, 2), opts);
  if (answer.kind === 'redirect') return answer.location;
  answer.stream.destroy();
  throw new WellcloudError({ code: 'BAD_RESPONSE', status: answer.status, message: t(opts.lang, 'recording.noRedirect') });
}

/** The audio as one Buffer (isDownload=1). */
export async function downloadToBuffer(client: AudioClient, target: AudioTarget, format: AudioFormat, opts: AudioOptions = {}): Promise<BufferedAudio> {
  const audio = expectStream(await requestAudio(client, target, audioQuery(format, 1), opts), opts.lang);
  return readAudio(audio, opts);
}

/**
 * The audio streamed to `filePath` (isDownload=1). Missing directories are created, the target's
 * name checked and the partial file opened first, so a path that cannot be written (too long a
 * name, a file where a directory should be, no permission) fails before the platform is asked.
 */
export async function downloadToFile(client: AudioClient, target: AudioTarget, format: AudioFormat, filePath: string, opts: AudioOptions = {}): Promise<SavedAudio> {
  const full = path.resolve(filePath);
  await ensureDirectory(path.dirname(full), opts.lang);
  await checkTarget(full, opts.lang);
  const temp = await openTemp(full, opts.lang);
  let audio: AudioStream;
  try {
    audio = expectStream(await requestAudio(client, target, audioQuery(format, 1), opts), opts.lang);
  } catch (e) {
    temp.out.destroy();
    await fsp.rm(temp.path, { force: true }).catch(() => undefined);
    throw e;
  }
  return writeAudio(audio, full, temp, opts);
}

function expectStream(answer: AudioStream | AudioRedirect, lang: Lang | undefined): AudioStream {
  if (answer.kind === 'stream') {
    if (!looksLikeError(answer.contentType)) return answer;
    answer.stream.destroy();
    throw new WellcloudError({ code: 'BAD_RESPONSE', status: answer.status, message: t(lang, 'recording.notAudio', { contentType: answer.contentType }) });
  }
  throw new WellcloudError({ code: 'BAD_RESPONSE', status: answer.status, message: t(lang, 'recording.notAudio', { contentType: `a redirect to ${answer.location}` }) });
}

/** JSON, HTML or plain text is an error page or body, never audio. */
function looksLikeError(contentType: string): boolean {
  return /\bjson\b|^\s*text\//i.test(contentType);
}

async function ensureDirectory(dir: string, lang: Lang | undefined): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    throw fileError(e, dir, lang);
  }
}

/** Reads an audio stream into one Buffer; checks Content-Length when given. */
export async function readAudio(audio: AudioStream, opts: AudioOptions = {}): Promise<BufferedAudio> {
  const stream = opts.signal ? addAbortSignal(opts.signal, audio.stream) : audio.stream;
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      chunks.push(b);
      bytes += b.length;
    }
  } catch (e) {
    audio.stream.destroy();
    throw streamError(e, opts.lang);
  }
  checkLength(audio, bytes, opts.lang);
  return { buffer: Buffer.concat(chunks, bytes), contentType: audio.contentType };
}

/**
 * Streams the audio to `filePath` through a temporary file in the same directory, renamed on
 * success. On failure or abort the temporary file is removed and the error thrown.
 */
export async function saveAudio(audio: AudioStream, filePath: string, opts: AudioOptions = {}): Promise<SavedAudio> {
  const full = path.resolve(filePath);
  let temp: TempFile;
  try {
    temp = await openTemp(full, opts.lang);
  } catch (e) {
    audio.stream.destroy();
    throw e;
  }
  return writeAudio(audio, full, temp, opts);
}

/** The longest file name (in bytes) common file systems take: NAME_MAX of Linux, macOS and Windows. */
const NAME_MAX = 255;

interface TempFile {
  path: string;
  out: WriteStream;
}

/**
 * `.<name>.<random>.part` beside `full`, the name cut short (at a character) when the whole would
 * exceed NAME_MAX: a target of 240 bytes is a valid name, its temporary one with 19 more was not.
 */
export function tempPathFor(full: string): string {
  const suffix = `.${randomBytes(6).toString('hex')}.part`;
  const room = NAME_MAX - 1 - suffix.length;
  let base = path.basename(full);
  if (Buffer.byteLength(base) > room) {
    let cut = '';
    let bytes = 0;
    for (const ch of base) {
      bytes += Buffer.byteLength(ch);
      if (bytes > room) break;
      cut += ch;
    }
    base = cut;
  }
  return path.join(path.dirname(full), `.${base}${suffix}`);
}

/** Opens the temporary file (created, never an existing one); file errors name `full`. */
async function openTemp(full: string, lang: Lang | undefined): Promise<TempFile> {
  const tmp = tempPathFor(full);
  const out = createWriteStream(tmp, { flags: 'wx' });
  try {
    await once(out, 'open');
  } catch (e) {
    out.destroy();
    throw fileError(e, full, lang);
  }
  return { path: tmp, out };
}

/** A target the file system refuses by its name alone (too long, a file as a directory): its error now. */
async function checkTarget(full: string, lang: Lang | undefined): Promise<void> {
  try {
    await fsp.lstat(full);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(e, full, lang);
  }
}

async function writeAudio(audio: AudioStream, full: string, temp: TempFile, opts: AudioOptions): Promise<SavedAudio> {
  const { out } = temp;
  try {
    await (opts.signal ? pipeline(audio.stream, out, { signal: opts.signal }) : pipeline(audio.stream, out));
    checkLength(audio, out.bytesWritten, opts.lang);
    await fsp.rename(temp.path, full);
    return { path: full, bytes: out.bytesWritten, contentType: audio.contentType };
  } catch (e) {
    audio.stream.destroy();
    out.destroy();
    await fsp.rm(temp.path, { force: true }).catch(() => undefined);
    throw isFsError(e) ? fileError(e, full, opts.lang) : streamError(e, opts.lang);
  }
}

function checkLength(audio: AudioStream, bytes: number, lang: Lang | undefined): void {
  if (audio.contentLength !== undefined && audio.contentLength !== bytes) {
    throw new WellcloudError({ code: 'ECONNRESET', message: t(lang, 'recording.truncated', { bytes, expected: audio.contentLength }) });
  }
}

const FS_CODES = /^E(ACCES|PERM|NOENT|NOTDIR|ISDIR|EXIST|NOSPC|DQUOT|ROFS|MFILE|NFILE|NAMETOOLONG|LOOP|BUSY|XDEV|IO)$/;

function isFsError(e: unknown): boolean {
  if (isWellcloudError(e)) return false;
  const err = e as { code?: unknown; syscall?: unknown } | undefined;
  return !!err && typeof err.code === 'string' && FS_CODES.test(err.code) && typeof err.syscall === 'string';
}

function fileError(e: unknown, where: string, lang: Lang | undefined): WellcloudError {
  if (isWellcloudError(e)) return e;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err?.code === 'string' ? err.code : 'EIO';
  const detail = typeof err?.message === 'string' ? err.message : String(e);
  return new WellcloudError({ code, message: t(lang, 'recording.fileError', { path: where, detail }) });
}

/** A failure while the body streams: the client's own error, an abort, or a cut connection. */
function streamError(e: unknown, lang: Lang | undefined): WellcloudError {
  if (isWellcloudError(e)) return e;
  const err = e as { name?: unknown; code?: unknown; message?: unknown } | undefined;
  if (err?.name === 'AbortError' || err?.code === 'ABORT_ERR') return new WellcloudError({ code: 'ABORTED', message: t(lang, 'net.ABORTED') });
  const raw = typeof err?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(err.code) ? err.code : 'ECONNRESET';
  const code = raw === 'ERR_STREAM_PREMATURE_CLOSE' ? 'ECONNRESET' : raw;
  const key = code === 'ECONNRESET' ? 'net.ECONNRESET' : 'net.other';
  return new WellcloudError({ code, message: t(lang, key, { detail: typeof err?.message === 'string' ? err.message : String(e) }) });
}
