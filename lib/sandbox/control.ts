/**
 * The sandbox's own control endpoints under /__sandbox/ (not part of the platform API), so
 * other processes (the CLI sandbox, benchmarks) can drive it over HTTP. No token needed.
 *
 *   POST   /__sandbox/faults         {match: {method?, path?, pathPattern?}, fault: {status, times?, retryAfter?, body?, errorCode?, delayMs?, destroySocket?}}
 *   DELETE /__sandbox/faults         clears every pending fault
 *   POST   /__sandbox/expire-tokens  every issued token answers 401 from now on
 *   GET    /__sandbox/requests       the request log;  DELETE clears it
 *   GET    /__sandbox/uploads        the roster batches received (?rows=0 leaves the rows out)
 *   POST   /__sandbox/latency        {ms}
 *   POST   /__sandbox/subscriber     {url} (null to unset): where lib/sandbox/pushes posts events
 *   POST   /__sandbox/recordings     {id?, callId?, bytes, format?: 'mp3'|'wav'} -> the recording record
 *   POST   /__sandbox/calls          AddCallInput -> the call
 *   GET    /__sandbox/state          counters and options
 */
import type { IncomingMessage, ServerResponse } from 'http';
import { ApiError, badParam, httpError } from './errors';
import { isPlainObject, parseJsonObject, readBody, sendError, sendJson } from './http-util';
import type { SandboxServer } from './server';
import type { AddCallInput, Fault, FaultMatch } from './types';

type Body = Record<string, unknown>;

const optNumber = (v: unknown, name: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badParam('gateway', `${name} must be a number`);
  return v;
};

function faultMatch(v: unknown): FaultMatch {
  const m = isPlainObject(v) ? v : {};
  const out: FaultMatch = {};
  if (typeof m.method === 'string') out.method = m.method;
  if (typeof m.path === 'string') out.path = m.path;
  if (typeof m.pathPattern === 'string') {
    try {
      out.path = new RegExp(m.pathPattern);
    } catch {
      throw badParam('gateway', 'pathPattern is not a valid regular expression');
    }
  }
  return out;
}

function fault(v: unknown): Fault {
  if (!isPlainObject(v)) throw badParam('gateway', 'fault must be an object');
  const status = optNumber(v.status, 'status');
  const destroySocket = v.destroySocket === true;
  if (status === undefined && !destroySocket) throw badParam('gateway', 'fault.status is required');
  const f: Fault = { status: status ?? 0 };
  const times = optNumber(v.times, 'times');
  const retryAfter = optNumber(v.retryAfter, 'retryAfter');
  const errorCode = optNumber(v.errorCode, 'errorCode');
  const delayMs = optNumber(v.delayMs, 'delayMs');
  if (times !== undefined) f.times = times;
  if (retryAfter !== undefined) f.retryAfter = retryAfter;
  if (errorCode !== undefined) f.errorCode = errorCode;
  if (delayMs !== undefined) f.delayMs = delayMs;
  if (destroySocket) f.destroySocket = true;
  if (v.body !== undefined) f.body = v.body;
  return f;
}

async function body(req: IncomingMessage): Promise<Body> {
  const buf = await readBody(req, 1024 * 1024, 'gateway');
  return buf.length === 0 ? {} : parseJsonObject(buf, 'gateway');
}

type ControlHandler = (sb: SandboxServer, req: IncomingMessage, url: URL) => Promise<[number, unknown]>;

const CONTROLS: Record<string, ControlHandler> = {
  'POST /__sandbox/faults': async (sb, req) => {
    const b = await body(req);
    sb.failNext(faultMatch(b.match), fault(b.fault));
    return [201, { ok: true }];
  },
  'DELETE /__sandbox/faults': async (sb) => {
    sb.clearFaults();
    return [200, { ok: true }];
  },
  'POST /__sandbox/expire-tokens': async (sb) => {
    const n = sb.issuedTokens().length;
    sb.expireTokens();
    return [200, { expired: n }];
  },
  'GET /__sandbox/requests': async (sb) => [200, sb.requests],
  'DELETE /__sandbox/requests': async (sb) => {
    sb.clearRequests();
    return [200, { ok: true }];
  },
  'GET /__sandbox/uploads': async (sb, _req, url) => [
    200,
    url.searchParams.get('rows') === '0' ? sb.uploads.map(({ rows, ...u }) => ({ ...u, rowCount: rows.length })) : sb.uploads,
  ],
  'POST /__sandbox/latency': async (sb, req) => {
    const ms = optNumber((await body(req)).ms, 'ms');
    if (ms === undefined) throw badParam('gateway', 'ms is required');
    sb.setLatency(ms);
    return [200, { latencyMs: sb.options.latencyMs }];
  },
  'POST /__sandbox/subscriber': async (sb, req) => {
    const url = (await body(req)).url;
    if (url !== null && (typeof url !== 'string' || !/^https?:\/\//.test(url))) throw badParam('gateway', 'url must be an http(s) URL or null');
    sb.setSubscriber(url ?? undefined);
    return [200, { subscriberUrl: sb.options.subscriberUrl ?? null }];
  },
  'POST /__sandbox/recordings': async (sb, req) => {
    const b = await body(req);
    const bytes = optNumber(b.bytes, 'bytes');
    if (bytes === undefined || bytes < 1) throw badParam('gateway', 'bytes must be a positive number');
    if (b.format !== undefined && b.format !== 'mp3' && b.format !== 'wav') throw badParam('gateway', "format must be 'mp3' or 'wav'");
    const rec = sb.addRecording({
      bytes,
      ...(typeof b.id === 'string' ? { id: b.id } : {}),
      ...(typeof b.callId === 'string' ? { callId: b.callId } : {}),
      ...(b.format === 'wav' || b.format === 'mp3' ? { format: b.format } : {}),
    });
    return [201, rec];
  },
  'POST /__sandbox/calls': async (sb, req) => {
    const b = (await body(req)) as AddCallInput;
    try {
      return [201, sb.addCall(b)];
    } catch (e) {
      throw badParam('gateway', (e as Error).message);
    }
  },
  'GET /__sandbox/state': async (sb) => [
    200,
    {
      url: sb.url,
      tokenApplications: sb.tokenApplications,
      issuedTokens: sb.issuedTokens().length,
      requests: sb.requests.length,
      uploads: sb.uploads.length,
      options: { ...sb.options, credentials: undefined },
    },
  ],
};

export async function handleControl(sb: SandboxServer, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const handler = CONTROLS[`${(req.method ?? 'GET').toUpperCase()} ${path}`];
  try {
    if (!handler) throw httpError('gateway', 404, `unknown sandbox control: ${req.method} ${path}`);
    const [status, out] = await handler(sb, req, url);
    sendJson(res, status, out);
  } catch (e) {
    if (e instanceof ApiError) sendError(res, e);
    else sendJson(res, 500, { error: (e as Error).message });
  }
}
