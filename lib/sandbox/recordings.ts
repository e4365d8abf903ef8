/**
 * Recordings (guide §4.1-4.3): records of a call, the merged audio of a call, the audio of
 * one recording, and the token-free file URLs handed out by isDownload=2.
 */
import type { ServerResponse } from 'http';
import { AudioBody, mp3Body, wavBody } from './audio';
import { choiceParam } from './cdr';
import type { Ctx, Env } from './context';
import { ApiError, business, httpError, Service } from './errors';
import { sendJson } from './http-util';
import type { SimCall, SimRecording } from './records';
import { DAY_MS } from './time';

const SERVICE: Service = 'cdr';

export function listCallRecordings(ctx: Ctx): void {
  const call = ctx.env.store.get(ctx.params[0] ?? '');
  if (!call) throw business(SERVICE, 14011);
  if (call.recordings.length === 0) throw business(SERVICE, 14012);
  sendJson(ctx.res, 200, call.recordings.map((r) => r.json));
}

interface AudioQuery {
  isDownload: number;
  isWav: boolean;
}

function audioQuery(q: URLSearchParams): AudioQuery {
  const isDownload = choiceParam(q, 'isDownload', [0, 1, 2]);
  const isWav = choiceParam(q, 'isWav', [0, 1]) === 1;
  return { isDownload, isWav };
}

function checkWavAge(recs: SimRecording[], env: Env): void {
  const oldest = Date.now() - env.options.wavDays * DAY_MS;
  if (recs.some((r) => r.startMs < oldest)) {
    throw business(SERVICE, 14013, `调听或下载录音时，录音文件不存在：wav双轨录音只保留最近${env.options.wavDays}天`);
  }
}

function callBody(call: SimCall, wav: boolean): AudioBody {
  const sum = (f: (r: SimRecording) => number): number => call.recordings.reduce((s, r) => s + f(r), 0);
  return wav ? wavBody(sum((r) => r.wavSamples), call.callId) : mp3Body(sum((r) => r.mp3Frames), call.callId);
}

function recordingBody(rec: SimRecording, wav: boolean): AudioBody {
  return wav ? wavBody(rec.wavSamples, rec.json.id) : mp3Body(rec.mp3Frames, rec.json.id);
}

/** Streams `body` (headers only for HEAD). */
export function sendAudio(res: ServerResponse, method: string, body: AudioBody, disposition: string): void {
  res.writeHead(200, {
    'Content-Type': body.contentType,
    'Content-Length': String(body.length),
    'Content-Disposition': disposition,
    'Accept-Ranges': 'none',
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  const stream = body.open();
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

function answerAudio(ctx: Ctx, kind: 'calls' | 'recordings', id: string, q: AudioQuery, body: AudioBody): void {
  const name = `${id}.${body.ext}`;
  if (q.isDownload === 2) {
    const location = ctx.env.baseUrl() + ctx.env.files.sign(`/files/${kind}/${encodeURIComponent(id)}.${body.ext}`);
    ctx.res.writeHead(302, { Location: location, 'Content-Length': '0' });
    ctx.res.end();
    return;
  }
  sendAudio(ctx.res, ctx.method, body, `${q.isDownload === 1 ? 'attachment' : 'inline'}; filename="${name}"`);
}

export function callAudio(ctx: Ctx): void {
  const q = audioQuery(ctx.query);
  const callId = ctx.params[0] ?? '';
  const call = ctx.env.store.get(callId);
  if (!call || call.recordings.length === 0) throw business(SERVICE, 14013);
  if (q.isWav) checkWavAge(call.recordings, ctx.env);
  answerAudio(ctx, 'calls', callId, q, callBody(call, q.isWav));
}

export function recordingAudio(ctx: Ctx): void {
  const q = audioQuery(ctx.query);
  const id = ctx.params[0] ?? '';
  const found = ctx.env.store.recording(id);
  if (!found) throw business(SERVICE, 14013);
  if (q.isWav) checkWavAge([found.rec], ctx.env);
  answerAudio(ctx, 'recordings', id, q, recordingBody(found.rec, q.isWav));
}

/** GET /files/{calls|recordings}/{id}.{mp3|wav}?exp=&sig= : no token, a valid signature instead. */
export function signedFile(ctx: Ctx): void {
  const [kind, id = '', ext] = ctx.params;
  const path = `/files/${kind}/${encodeURIComponent(id)}.${ext}`;
  if (!ctx.env.files.verify(path, ctx.query.get('exp'), ctx.query.get('sig'))) {
    throw httpError('files', 403, '链接无效或已过期');
  }
  const wav = ext === 'wav';
  let body: AudioBody | undefined;
  if (kind === 'calls') {
    const call = ctx.env.store.get(id);
    if (call && call.recordings.length > 0) body = callBody(call, wav);
  } else {
    const found = ctx.env.store.recording(id);
    if (found) body = recordingBody(found.rec, wav);
  }
  if (!body) throw new ApiError(404, 14013, '录音文件不存在', 'files');
  sendAudio(ctx.res, ctx.method, body, `inline; filename="${id}.${ext}"`);
}
