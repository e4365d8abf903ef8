/** Small helpers to answer and read HTTP messages the way the platform does. */
import type { IncomingMessage, ServerResponse } from 'http';
import { ApiError, badParam, httpError, Service } from './errors';

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': String(data.length), ...headers });
  res.end(data);
}

export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, err.body(), err.headers);
}

/** Reads a whole (small) body; over `limit` bytes -> 413 error. */
export function readBody(req: IncomingMessage, limit: number, service: Service): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(httpError(service, 413, `请求体过大，最大${limit}字节`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function isJsonType(req: IncomingMessage): boolean {
  const t = mediaType(req);
  return t === 'application/json' || /^application\/[\w.+-]+\+json$/.test(t);
}

/** Parses a JSON body that must be an object. */
export function parseJsonObject(buf: Buffer, service: Service): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    throw badParam(service, '请求体不是合法的JSON');
  }
  if (!isPlainObject(value)) throw badParam(service, '请求体必须是JSON对象');
  return value;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function formFields(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) if (!(k in out)) out[k] = v;
  return out;
}

/** Lower-cased request headers with string values (arrays joined). */
export function plainHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export function queryObject(q: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of q) if (!(k in out)) out[k] = v;
  return out;
}
