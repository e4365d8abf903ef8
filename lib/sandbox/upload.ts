/**
 * Roster upload (guide §5.2): multipart/form-data, the first part named `file` is read
 * (streamed, capped at maxUploadBytes, nothing kept beyond the cap), every line validated.
 */
import { randomUUID } from 'crypto';
import type { Ctx } from './context';
import { ApiError, badParam, httpError, Service } from './errors';
import { mediaType, sendJson } from './http-util';
import { boundaryOf, MultipartError, MultipartParser, PartInfo } from './multipart';
import { parseRoster } from './roster';
import { formatCompact } from './time';

const SERVICE: Service = 'ros';
const LOG_TEXT_BYTES = 1024 * 1024;
/** After refusing an oversized file, the rest of the body is drained; a sender still going after this is cut off. */
const DRAIN_GRACE_MS = 5000;

/** The batch name: product id (prdType of the first line) + '-' + timestamp (China time, ms). */
export function batchNameFor(prdType: string, now: number): string {
  return `${prdType}-${formatCompact(now)}`;
}

interface FilePart {
  info: PartInfo;
  chunks: Buffer[];
  size: number;
  complete: boolean;
}

class TooLarge extends Error {}

function sizeText(bytes: number): string {
  return bytes % 1_000_000 === 0 ? `${bytes / 1_000_000}MB` : `${bytes}字节`;
}

/** Reads the body; resolves with the first file part named `file` (or null when there is none). */
function readFilePart(ctx: Ctx, boundary: string, max: number): Promise<FilePart | null> {
  return new Promise((resolve, reject) => {
    let file: FilePart | null = null;
    let stopped = false;
    const parser = new MultipartParser(boundary, {
      onPart(info) {
        // a part named file without a filename is a plain form field, not the file (guide §5.2.2: type file)
        if (file || info.name !== 'file' || info.filename === null) return false;
        file = { info, chunks: [], size: 0, complete: false };
        return true;
      },
      onData(chunk) {
        const f = file as FilePart;
        f.size += chunk.length;
        if (f.size > max) throw new TooLarge();
        f.chunks.push(chunk);
      },
      onPartEnd() {
        if (file) file.complete = true;
      },
    });
    const stop = (err: Error): void => {
      stopped = true;
      if (file) file.chunks = []; // keep nothing
      reject(err);
    };
    ctx.req.on('data', (chunk: Buffer) => {
      if (stopped) return; // drained and dropped
      try {
        parser.write(chunk);
      } catch (e) {
        stop(e as Error);
      }
    });
    ctx.req.on('end', () => {
      if (stopped) return;
      try {
        parser.end();
        resolve(file);
      } catch (e) {
        stop(e as Error);
      }
    });
    ctx.req.on('error', (e) => {
      if (!stopped) stop(e);
    });
  });
}

function cutOffLateSender(ctx: Ctx): void {
  if (ctx.req.complete) return;
  const t = ctx.env.timers.set(() => ctx.req.socket.destroy(), DRAIN_GRACE_MS);
  const socket = ctx.req.socket;
  const cancel = (): void => {
    ctx.env.timers.cancel(t);
    socket.off('close', cancel);
  };
  ctx.req.once('end', cancel);
  // the sender went away on its own (the request itself is not closed once answered): nothing to cut off
  socket.once('close', cancel);
}

export async function uploadRoster(ctx: Ctx): Promise<void> {
  if (mediaType(ctx.req) !== 'multipart/form-data') {
    throw httpError(SERVICE, 415, `不支持的Content-Type：${ctx.req.headers['content-type'] ?? '（无）'}，请使用multipart/form-data`);
  }
  const boundary = boundaryOf(ctx.req.headers['content-type']);
  if (!boundary) throw badParam(SERVICE, 'multipart/form-data缺少boundary');
  const alias = ctx.query.get('alias') || null;
  const templateId = ctx.query.get('templateId') || null;
  if (templateId !== null && !ctx.env.knownTemplate(templateId)) throw new ApiError(404, 404, `找不到服务或活动：${templateId}`, SERVICE);

  const max = ctx.env.options.maxUploadBytes;
  let file: FilePart | null;
  try {
    file = await readFilePart(ctx, boundary, max);
  } catch (e) {
    if (e instanceof TooLarge) {
      ctx.log.body = { filename: null, size: null, text: undefined };
      cutOffLateSender(ctx);
      throw badParam(SERVICE, `名单文件大小不能超过${sizeText(max)}`);
    }
    if (e instanceof MultipartError) throw badParam(SERVICE, `multipart请求体格式错误：${e.message}`);
    throw e;
  }
  if (!file || !file.complete) throw badParam(SERVICE, 'file不能为空');
  const bytes = Buffer.concat(file.chunks);
  ctx.log.body = { filename: file.info.filename, size: bytes.length, text: bytes.subarray(0, LOG_TEXT_BYTES).toString('utf8') };
  if (bytes.length === 0) throw badParam(SERVICE, '名单文件内容为空');
  const roster = parseRoster(bytes);
  if (!roster.ok) throw badParam(SERVICE, roster.message);

  const now = Date.now();
  const batchId = randomUUID();
  const batchName = batchNameFor(roster.rows[0]?.prdType ?? 'roster', now);
  ctx.env.recordUpload({ time: now, alias, templateId, batchId, batchName, filename: file.info.filename, bytes: bytes.length, rows: roster.rows });
  sendJson(ctx.res, 201, { data: { alias, batchId, batchName }, hasData: false });
}
