'use strict';
// A seeded robustness (fuzz) pass of the lib client against a hostile or broken server: a raw
// HTTP server on 127.0.0.1, written here, answers every request according to a scenario the seed
// picks (wrong, missing or duplicate Content-Type; invalid JSON; JSON of the wrong shape, deeply
// nested, with `__proto__` keys or huge numbers; invalid UTF-8; bodies cut short; connections reset
// before or after the headers or closed without a word; garbage instead of HTTP; very slow headers
// and bodies; bodies of tens of MB and a gzip bomb; redirects of every kind; 1xx, 204, 304, 418,
// 429 with odd Retry-After, 5xx storms; 401 on every request; token answers with odd expiresIn or
// of the wrong shape; gzip, deflate and br bodies with and without a matching header), across every
// client method: token apply, dualCall, instantOutbound, roster upload, getCall, queryCalls and
// queryRobotCalls, whole call and robot ranges (paged), the recording list, and audio to a file,
// to a Buffer and as a redirect URL.
//
// Deterministic: the seed (default below, or WELLCLOUD_FUZZ_SEED) decides every case; a failure
// names the seed and the case. WELLCLOUD_FUZZ_COUNT changes the number of cases (each makes one to
// a dozen requests).
//
// For every call: it settles (no hang); it resolves only with what the served answer documents,
// or rejects with a WellcloudError of the code that answer calls for (README's error codes);
// neither the message nor anything else in the error holds appSecret, apiKey or a token (also
// URL-, form- or JSON-encoded) or axios's request; the server saw exactly the requests the
// documented rules allow: GETs at most 3 attempts and only after a retryable answer, calls that
// ring phones and roster uploads once (twice only after a 401, with one token renewal in
// between); a failed download leaves no file behind. For the whole run: no unhandled rejection,
// uncaught exception or process warning; no socket or timer left once the clients are closed;
// no request ever reached a host a redirect pointed at; Object.prototype untouched.
const assert = require('assert');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const util = require('util');
const zlib = require('zlib');
const { WellcloudClient } = require('../../dist/lib/client');
const { MAX_ANSWER_BYTES } = require('../../dist/lib/http');
const { fetchCallRange, fetchRobotRange, collectRecords } = require('../../dist/lib/cdr');
const { downloadToFile, downloadToBuffer, audioUrl } = require('../../dist/lib/recording');
const { prng } = require('../fuzz');

const SEED = Number(process.env.WELLCLOUD_FUZZ_SEED) || 0x40571e;
const COUNT = Number(process.env.WELLCLOUD_FUZZ_COUNT) || 1500;
const CONCURRENCY = 8;
/** Client timeout of a case with a slow answer in its plan; the others get TIMEOUT_MS. */
const SHORT_TIMEOUT_MS = 300;
const TIMEOUT_MS = 5000;
const RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };
const PAGE_SIZE = 3;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Longest token lifetime an answer may announce (seconds); longer ones are ignored (24 h). */
const MAX_ANNOUNCED_S = 366 * 24 * 60 * 60;

const APP_SECRET = 'fz/Secret+=&ü 7c1e';
const API_KEY = 'fz:Key?#[]@!$ 9d2';

// ---------------------------------------------------------------------------------------------
// outcomes: what a served answer must make of a call

const ok = (value) => ({ kind: 'ok', value });
/** An error answer; `retry`: a GET tries again after it; `unauthorized`: renew the token and repeat once. */
const fail = (code, extra = {}) => ({ kind: 'error', code, retry: false, unauthorized: false, ...extra });
const BAD = fail('BAD_RESPONSE');

// ---------------------------------------------------------------------------------------------
// scenario: how the server answers one request
//
// { tag, status, headers: [[name, value]], body: Buffer, encode, framing ('length' | 'chunked' |
//   'close' | 'node'), pre (informational heads), action ('rst' | 'fin' | 'stall' | 'garbage'),
//   cutAt, cutHow, stallAt, huge, outcome }

function scenario(tag, fields, outcome) {
  return { tag, status: 200, headers: [], body: Buffer.alloc(0), encode: null, framing: 'length', ...fields, outcome };
}

const REASONS = { 100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints', 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 418: "I'm a teapot", 422: 'Unprocessable', 429: 'Too Many Requests', 451: 'Unavailable', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 599: 'Network Timeout' };

const JSON_TYPES = [['application/json;charset=UTF-8'], ['application/json'], [], ['text/html'], ['text/plain; charset=gbk'], ['application/json', 'text/html'], ['application/octet-stream'], ['application/problem+json']];

function jsonHeaders(r) {
  return r.pick(JSON_TYPES).map((v) => ['Content-Type', v]);
}

/** Framing and compression of a body that must arrive intact. */
function framed(r, fields) {
  const f = { ...fields };
  const roll = r.int(0, 9);
  if (roll <= 3) f.framing = 'length';
  else if (roll <= 5) f.framing = 'chunked';
  else if (roll === 6) f.framing = 'close';
  else f.framing = 'node';
  if (f.framing !== 'node' && r.chance(0.25)) {
    f.encode = r.pick(['gzip', 'deflate', 'br', 'x-gzip']);
    f.headers = [...(f.headers || []), ['Content-Encoding', f.encode]];
  }
  if (f.framing !== 'node' && r.chance(0.1)) f.pre = [r.pick(['100 Continue', '102 Processing', '103 Early Hints'])];
  return f;
}

function text(s) {
  return Buffer.from(s, 'utf8');
}

/** Deeply nested `{"data":{"data":...inner...}}`. */
function nested(depth, inner) {
  return '{"data":'.repeat(depth) + inner + '}'.repeat(depth);
}

/** `"c-<ff><fe>"`: a JSON string holding bytes that are no UTF-8. */
function invalidUtf8(prefix, key, suffix) {
  return Buffer.concat([text(`${prefix}"${key}":"c-`), Buffer.from([0xff, 0xfe, 0xc3]), text(`"${suffix}`)]);
}

// ---------------------------------------------------------------------------------------------
// the methods under test: how to call them, their good answers and their odd-shaped answers

const CALL_RECORD = (c, i = 0) => ({ callId: `${c.id}-r${i}`, ani: '8001@x.cc', dnis: '13912345678', beginTime: `2025-03-01 00:00:0${i % 10}`, talkLength: 3.124, campaignName: null });
const RECORDING = (c) => ({ id: `${c.id}-rec`, callId: c.id, recordFormat: 'MP3', recordLength: 12 });

/** Every method's good answer (body and the value it must resolve with) and odd shapes. */
const METHODS = {
  applyToken: {
    kind: 'token',
    weight: 5,
    run: (cl) => cl.applyToken(),
  },
  dualCall: {
    kind: 'post',
    rings: true,
    weight: 12,
    run: (cl, c, o) => cl.dualCall({ deviceId: `8001@${c.id}.cc`, prefix: '9', customerPhone: '13912345678' }, o),
    good: (r, c) => {
      const callId = `cid-${c.id}-${r.int(0, 999)}`;
      return r.pick([
        [text(JSON.stringify({ callId })), { callId }],
        [text(JSON.stringify({ data: { callId } })), { callId }],
        [text('\ufeff' + JSON.stringify({ callId })), { callId }],
        [text('{"callId":4503599627370495}'), { callId: '4503599627370495' }],
        [text(`{"callId":"x","callId":${JSON.stringify(callId)}}`), { callId }],
      ]);
    },
    shapes: () => [
      [text('[]'), BAD], [text('"cid-1"'), BAD], [text('42'), BAD], [text('null'), BAD], [text('true'), BAD], [text('{}'), BAD],
      [text('{"callId":""}'), BAD], [text('{"callId":null}'), BAD], [text('{"callId":{"id":"x"}}'), BAD], [text('{"callId":["x"]}'), BAD],
      [text('{"callId":1e400}'), BAD], [text('{"callId":12345678901234567890}'), BAD], [text('{"callId":1.5}'), BAD],
      [text('{"__proto__":{"callId":"x"}}'), BAD], [text('{"data":null}'), BAD], [text(nested(20000, '{"callId":"deep"}')), BAD],
      [invalidUtf8('{', 'callId', '}'), ok({ callId: 'c-\ufffd\ufffd\ufffd' })],
    ],
    check: (v, want) => assert.deepStrictEqual(v, want),
  },
  instantOutbound: {
    kind: 'post',
    rings: true,
    weight: 9,
    run: (cl, c, o) => cl.instantOutbound({ activityId: 'act-1', callee: '13912345678', caller: '8001@x.cc', data: {}, domain: 'x.cc', rosterId: c.id, tenantId: 't-1' }, o),
    good: () => {
      const body = { result: '0', reason: 'success' };
      return [text(JSON.stringify(body)), body];
    },
    shapes: () => [
      [text('{"data":{"result":"1","reason":"busy"}}'), ok({ result: '1', reason: 'busy' })],
      [text('{"result":0,"reason":null,"extra":[1,2]}'), ok({ result: 0, reason: null, extra: [1, 2] })],
      [text('{"__proto__":{"result":"x"},"result":"2"}'), ok(JSON.parse('{"__proto__":{"result":"x"},"result":"2"}'))],
      [text('{"result":1e400,"reason":"x"}'), ok({ result: Infinity, reason: 'x' })],
      [text('[]'), BAD], [text('"ok"'), BAD], [text('0'), BAD], [text('null'), BAD], [text('[{"result":"0"}]'), BAD],
    ],
    check: (v, want) => assert.deepStrictEqual(v, want),
  },
  uploadRoster: {
    kind: 'post',
    weight: 8,
    run: (cl, c, o) => cl.uploadRoster(Buffer.from('r1,1,13912345678\nr2,1,13912345679,c2,k:v\n'), { alias: c.id, templateId: 'tpl-1', ...o }),
    good: (r, c) => {
      const batchId = `b-${c.id}`;
      return r.pick([
        [text(JSON.stringify({ data: { alias: c.id, batchId, batchName: 'p1-1700000000' }, hasData: false })), { alias: c.id, batchId, batchName: 'p1-1700000000' }],
        [text(JSON.stringify({ batchId: 77, batchName: 'x' })), { alias: null, batchId: '77', batchName: 'x' }],
        [text(JSON.stringify({ data: { batchId, alias: 5, batchName: 12 } })), { alias: null, batchId, batchName: '12' }],
      ]);
    },
    goodStatus: 201,
    shapes: () => [
      [text('{"data":{"batchId":{}}}'), BAD], [text('{"data":{"batchId":[1]}}'), BAD], [text('{"data":{"batchId":""}}'), BAD],
      [text('{"data":{"batchId":1e400}}'), BAD], [text('{"data":{"batchId":123456789012345678901}}'), BAD], [text('{"data":null,"hasData":false}'), BAD],
      [text('[]'), BAD], [text('"b-1"'), BAD], [text('null'), BAD],
      [text('{"data":{"batchId":"b","batchName":{"x":1},"alias":["a"]}}'), ok({ alias: null, batchId: 'b', batchName: '' })],
    ],
    check: (v, want) => assert.deepStrictEqual(v, want),
  },
  getCall: {
    kind: 'get',
    weight: 11,
    run: (cl, c, o) => cl.getCall(c.id, o),
    good: (r, c) => {
      const rec = CALL_RECORD(c);
      return r.pick([[text(JSON.stringify(rec)), rec], [text(JSON.stringify({ data: rec })), rec]]);
    },
    shapes: () => [
      [text('{}'), ok({})],
      [text('{"__proto__":{"polluted":1},"callId":"x"}'), ok(JSON.parse('{"__proto__":{"polluted":1},"callId":"x"}'))],
      [text('{"callId":"x","talkLength":1e400,"n":123456789012345678901234567890}'), ok({ callId: 'x', talkLength: Infinity, n: 123456789012345678901234567890 })],
      [invalidUtf8('{', 'callId', ',"ani":"1"}'), ok({ callId: 'c-\ufffd\ufffd\ufffd', ani: '1' })],
      [text('[]'), BAD], [text('[{"callId":"x"}]'), BAD], [text('"x"'), BAD], [text('1'), BAD], [text('null'), BAD], [text('false'), BAD],
    ],
    check: (v, want) => assert.deepStrictEqual(v, want),
  },
  queryCalls: {
    kind: 'get',
    weight: 7,
    run: (cl, c, o) => cl.queryCalls({ beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 01:00:00', isOrder: 1, domain: `${c.id}.cc`, p: 1, s: 10 }, o),
    good: (r, c) => {
      const list = [CALL_RECORD(c, 0), CALL_RECORD(c, 1)];
      return r.pick([
        [text(JSON.stringify({ total: 2, list })), { total: 2, list }],
        [text(JSON.stringify({ list })), { list }],
        [text(JSON.stringify(list)), { list }],
        [text(JSON.stringify({ data: { total: 2, list } })), { total: 2, list }],
      ]);
    },
    shapes: pageShapes,
    check: (v, want) => assert.deepStrictEqual(v, want),
  },
  queryRobotCalls: {
    kind: 'get',
    weight: 3,
    run: (cl, c, o) => cl.queryRobotCalls({ campaignId: c.id, beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 01:00:00', isOrder: 0, isDownload: 0, domain: 'x.cc', p: 1, s: 10 }, o),
    good: (r, c) => {
      const list = [CALL_RECORD(c, 0)];
      return [text(JSON.stringify({ total: 1, list })), { total: 1, list }];
    },
    shapes: pageShapes,
    check: (v, want) => assert.deepStrictEqual(v, want),
  },
  callRange: {
    kind: 'range',
    weight: 7,
    run: (cl, c, o) => rangeRun(fetchCallRange(cl, { beginTime: new Date('2025-03-01T00:00:00+08:00'), endTime: new Date('2025-03-01T01:00:00+08:00'), isOrder: 1, domain: `${c.id}.cc` }, { pageSize: PAGE_SIZE, concurrency: c.concurrency, ...o }), c),
  },
  robotRange: {
    kind: 'range',
    weight: 4,
    run: (cl, c, o) => rangeRun(fetchRobotRange(cl, { campaignId: c.id, beginTime: new Date('2025-03-01T00:00:00+08:00'), endTime: new Date('2025-03-01T01:00:00+08:00'), isOrder: 0, domain: 'x.cc' }, { pageSize: PAGE_SIZE, concurrency: c.concurrency, ...o }), c),
  },
  listRecordings: {
    kind: 'get',
    weight: 9,
    run: (cl, c, o) => cl.listCallRecordings(c.id, o),
    good: (r, c) => {
      const rec = RECORDING(c);
      return r.pick([
        [text(JSON.stringify([rec])), [rec]],
        [text(JSON.stringify({ list: [rec] })), [rec]],
        [text(JSON.stringify({ data: [rec] })), [rec]],
        [text(JSON.stringify({ data: { list: [rec] } })), [rec]],
        [text(JSON.stringify(rec)), [rec]],
        [text(JSON.stringify({ data: null, hasData: false })), []],
      ]);
    },
    shapes: (c) => [
      [text(nested(50000, JSON.stringify({ list: [RECORDING(c)] }))), ok([RECORDING(c)])],
      [text('{}'), ok([])],
      [text('[1,null,"x"]'), ok([1, null, 'x'])],
      [text('"x"'), BAD], [text('42'), BAD], [text('null'), BAD], [text('true'), BAD], [text(''), BAD], [text('<html><body>Welcome</body></html>'), BAD],
    ],
    check: (v, want) => assert.deepStrictEqual(v, want),
  },
  audioFile: {
    kind: 'stream',
    weight: 8,
    run: (cl, c, o) => downloadToFile(cl, { callId: c.id }, 'mp3', c.target, { lang: c.lang, ...o }),
  },
  audioBuffer: {
    kind: 'stream',
    weight: 6,
    run: (cl, c, o) => downloadToBuffer(cl, { recordingId: c.id }, 'wav', { lang: c.lang, ...o }),
  },
  audioUrl: {
    kind: 'redirect',
    weight: 5,
    run: (cl, c, o) => audioUrl(cl, { callId: c.id }, 'mp3', { lang: c.lang, ...o }),
  },
};

function pageShapes(c) {
  const rec = CALL_RECORD(c);
  return [
    [text('{"total":"3","list":[]}'), ok({ total: 3, list: [] })],
    [text('{"total":1e400,"list":[]}'), ok({ list: [] })],
    [text('{"total":"abc","list":[1,null,"x"]}'), ok({ list: [1, null, 'x'] })],
    [text(`{"list":[${JSON.stringify(rec)}],"list":[]}`), ok({ list: [] })],
    [text('{"list":"x"}'), ok({ list: [] })],
    [text('"x"'), BAD], [text('7'), BAD], [text('null'), BAD], [text(''), BAD], [text('not json'), BAD], [text('<html>proxy</html>'), BAD],
  ];
}

/** Iterates a whole range: every record, or collectRecords' cap in `collect` mode. */
async function rangeRun(pages, c) {
  if (c.collect) return collectRecords(pages, 50);
  const out = [];
  let n = 0;
  for await (const page of pages) {
    out.push(...page.records);
    if (++n > 200) throw new Error('runaway range: more than 200 pages');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// scenario families

/** The good answer of `m` (framing varied). */
function goodScenario(r, m, c) {
  const [body, value] = m.good(r, c);
  return scenario('ok', framed(r, { status: m.goodStatus ?? r.pick([200, 200, 200, 201, 202]), headers: jsonHeaders(r), body }), ok(value));
}

function shapeScenario(r, m, c) {
  const [body, outcome] = r.pick(m.shapes(c));
  return scenario('shape', framed(r, { headers: jsonHeaders(r), body }), outcome);
}

function badJsonScenario(r) {
  const body = r.pick([text('{"callId":'), text('{"list":[1,2'), text('<html><body>502 proxy</body></html>'), text('nope'), Buffer.concat([Buffer.from([0xff]), r.bytes(r.int(0, 300))])]);
  return scenario('bad-json', framed(r, { headers: jsonHeaders(r), body }), BAD);
}

/** A platform error body `{errorCode, errorMessage, instanceId}` that quotes the secrets. */
function platformScenario(r) {
  const status = r.pick([400, 400, 200, 404, 500]);
  const errorCode = r.pick([14011, '14012', 12008, 14004, 'E_ODD', 99999999999]);
  const quote = r.int(0, 4);
  // written when served, so it can quote the token the client holds then
  const bodyFn = (c) => {
    const token = c.lastToken || 'no-token-yet';
    const quoted = [APP_SECRET, API_KEY, token, encodeURIComponent(token), new URLSearchParams({ s: APP_SECRET }).toString().slice(2)][quote];
    return text(JSON.stringify({ errorCode, errorMessage: `rejected ${quoted} here`, instanceId: `inst ${quoted}`, exceptionName: 'X' }));
  };
  return scenario('platform', framed(r, { status, headers: [['Content-Type', 'application/json']], bodyFn }), fail(String(errorCode), { retry: status >= 500 }));
}

/** Statuses without a platform body: HTTP_<status>; a 204 has no answer in it (BAD_RESPONSE). */
function statusScenario(r) {
  const status = r.pick([400, 403, 404, 409, 418, 422, 451, 304, 101, 204]);
  const empty = status === 304 || status === 101 || status === 204;
  const body = empty ? Buffer.alloc(0) : r.pick([Buffer.alloc(0), text('<html><body>teapot</body></html>'), text('nope'), text(`no: ${API_KEY}`)]);
  const headers = status === 101 ? [['Upgrade', 'websocket']] : jsonHeaders(r);
  return scenario('status', { status, headers, body, framing: status === 304 ? 'close' : 'length' }, status === 204 ? BAD : fail(`HTTP_${status}`));
}

function storm(r) {
  const status = r.pick([429, 500, 502, 503, 504, 599]);
  const headers = jsonHeaders(r);
  if (r.chance(0.6)) headers.push(['Retry-After', r.pick(['0', '0.002', '-1', 'abc', '', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Infinity', '1e3', '0x10'])]);
  const body = r.pick([Buffer.alloc(0), text('<html>busy</html>'), text('Service Unavailable')]);
  return scenario('storm', framed(r, { status, headers, body }), fail(`HTTP_${status}`, { retry: true }));
}

function unauthorizedScenario(r) {
  if (r.chance(0.5)) return scenario('401', { status: 401, headers: [], body: Buffer.alloc(0) }, fail('HTTP_401', { unauthorized: true }));
  const status = r.pick([401, 200]);
  const body = text(JSON.stringify({ errorCode: 401, errorMessage: 'ssid invalid', instanceId: 'i-1' }));
  return scenario('401', { status, headers: [['Content-Type', 'application/json']], body }, fail('401', { unauthorized: true }));
}

/** Resets, empty replies, cut bodies and garbage: ECONNRESET (retried by a GET) or BAD_RESPONSE. */
function networkScenario(r, m, c) {
  const kind = r.pick(['rst', 'fin', 'rst-after-headers', 'cut-length', 'cut-chunked', 'garbage']);
  if (kind === 'rst' || kind === 'fin') return scenario(kind, { action: kind }, fail('ECONNRESET', { retry: true }));
  if (kind === 'garbage') return scenario(kind, { action: 'garbage', body: r.pick([text('HELLO\r\n\r\n'), text('HTTP/1.1 2OO OK\r\n\r\n'), text('HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}'), r.bytes(64)]) }, BAD);
  const body = m.good ? m.good(r, c)[0] : text('{"token":"never-complete-token"}');
  const fields = { headers: [['Content-Type', 'application/json']], body, cutAt: r.int(0, Math.max(0, body.length - 1)), cutHow: r.pick(['fin', 'rst']) };
  if (kind === 'rst-after-headers') fields.cutAt = 0;
  if (kind === 'cut-chunked') fields.framing = 'chunked';
  return scenario(kind, fields, fail('ECONNRESET', { retry: true }));
}

/**
 * A body whose Content-Encoding lies: BAD_RESPONSE. A gzip body cut short (its framing intact) is
 * decoded as far as it goes, as axios (and browsers) do: whole JSON if only the trailer is missing,
 * else a JSON text without its end, which no method takes.
 */
function encodingScenario(r, m, c) {
  const [body, whole] = m.good ? goodPair(r, m, c) : tokenPair(r, c);
  const kind = r.pick(['gzip-plain', 'br-gzip', 'deflate-garbage', 'gzip-cut', 'gzip-unlabelled']);
  if (kind === 'gzip-unlabelled') return scenario(kind, { headers: [['Content-Type', 'application/json']], body: zlib.gzipSync(body) }, BAD);
  if (kind === 'gzip-plain') return scenario(kind, { headers: [['Content-Encoding', 'gzip']], body }, BAD);
  if (kind === 'br-gzip') return scenario(kind, { headers: [['Content-Encoding', 'br']], body: zlib.gzipSync(body) }, BAD);
  if (kind === 'deflate-garbage') return scenario(kind, { headers: [['Content-Encoding', 'deflate']], body: text('this is no deflate data, none at all') }, BAD);
  const gz = zlib.gzipSync(body);
  const cut = gz.subarray(0, Math.max(1, gz.length - r.int(1, 16)));
  const decoded = lenientDecode('gzip', cut);
  return scenario(kind, { headers: [['Content-Encoding', 'gzip']], body: cut }, decoded && decoded.equals(body) ? whole : BAD);
}

/** `buf` decoded as axios decodes it (what a body cut short gives, no error), or undefined where that fails. */
function lenientDecode(encoding, buf) {
  try {
    if (encoding === 'br') return zlib.brotliDecompressSync(buf, { flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    return zlib.unzipSync(buf, { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

/** A good JSON answer of `m` and its outcome. */
function goodPair(r, m, c) {
  const [body, value] = m.good(r, c);
  return [body, ok(value)];
}

/** A good JSON token answer and its outcome. */
function tokenPair(r, c) {
  const token = tokenValue(c, r);
  return [text(JSON.stringify({ token })), ok({ token, lifetime: DAY_MS })];
}

/** Headers or body slower than the client's timeout: ETIMEDOUT (a GET tries again). */
function slowScenario(r, m, c) {
  const body = m.good ? m.good(r, c)[0] : text('{"token":"slow-token-value"}');
  if (r.chance(0.5)) return scenario('slow-headers', { action: 'stall', body }, fail('ETIMEDOUT', { retry: true, slow: true }));
  return scenario('slow-body', { headers: [['Content-Type', 'application/json']], body, stallAt: r.int(0, body.length - 1) }, fail('ETIMEDOUT', { retry: true, slow: true }));
}

/** Tens of MB of JSON, or a gzip bomb: the client stops reading at its limit, BAD_RESPONSE. */
let BOMB;
function hugeScenario(r) {
  if (r.chance(0.5)) return scenario('huge', { headers: [['Content-Type', 'application/json']], huge: 40 * 1024 * 1024 }, fail('BAD_RESPONSE', { huge: true }));
  BOMB ??= zlib.gzipSync(Buffer.concat([text('{"list":['), Buffer.alloc(MAX_ANSWER_BYTES + 4 * 1024 * 1024, 0x20), text(']}')]), { level: 9 });
  return scenario('gzip-bomb', { headers: [['Content-Type', 'application/json'], ['Content-Encoding', 'gzip']], body: BOMB }, fail('BAD_RESPONSE', { huge: true }));
}

// ---- the token endpoint ----

function tokenValue(c, r) {
  c.tokenSerial = (c.tokenSerial || 0) + 1;
  return `fzTok/${c.n}+${c.tokenSerial}=${r.int(1000, 9999)}`;
}

/** expiresIn spellings and the lifetime (ms) the client must take from them. */
const EXPIRES = [
  [undefined, DAY_MS], [0, DAY_MS], [-60, DAY_MS], ['abc', DAY_MS], ['3600', 3600e3], [7200, 7200e3], [1e300, DAY_MS], [1e13, DAY_MS],
  ['1e400', DAY_MS], [86_400_000, DAY_MS], [MAX_ANNOUNCED_S, MAX_ANNOUNCED_S * 1000], [null, DAY_MS], [[60], DAY_MS], [{ s: 1 }, DAY_MS],
];

function goodToken(r, c) {
  const token = tokenValue(c, r);
  const [expiresIn, lifetime] = r.pick(EXPIRES);
  const withExp = (o) => (expiresIn === undefined ? o : { ...o, [r.pick(['expiresIn', 'expires_in'])]: expiresIn });
  const variant = r.int(0, 6);
  let body;
  let headers = jsonHeaders(r);
  if (variant === 0) body = withExp({ token });
  else if (variant === 1) body = withExp({ accessToken: token });
  else if (variant === 2) body = withExp({ access_token: token, token_type: 'bearer' });
  else if (variant === 3) body = { data: withExp({ token }) };
  else if (variant === 4) body = withExp({ data: { accessToken: token } });
  else if (variant === 5) body = { data: token };
  const raw = variant === 6 ? text(`${token}\n`) : text(JSON.stringify(body));
  if (variant === 6) headers = [['Content-Type', 'text/plain']];
  const life = variant === 6 || variant === 5 ? DAY_MS : lifetime;
  return scenario('ok', framed(r, { status: 200, headers, body: raw }), ok({ token, lifetime: life }));
}

const TOKEN_SHAPES = [
  '{"token":""}', '{"token":"   "}', '{"token":12345}', '{"token":["abcdef"]}', '{"token":null}', '[]', '"ab"', '{"token":"ab"}', '{"token":"a b c d"}',
  '{"token":"tab\\tinside"}', '{"token":"nl\\nX-Evil: 1"}', '{"token":"t\\u00f6k\\u00e9n-01"}', `{"token":"${'x'.repeat(5000)}"}`, '{"__proto__":{"token":"proto-token"}}',
  '<html><body>login</body></html>', 'null', '{}', '42', '{"data":{"data":{"token":"too-deep"}}}',
];

function badToken(r, c) {
  const roll = r.int(0, 9);
  if (roll <= 4) return scenario('token-shape', framed(r, { headers: jsonHeaders(r), body: text(r.pick(TOKEN_SHAPES)) }), BAD);
  if (roll === 5) return scenario('token-401', { status: 401, headers: [], body: Buffer.alloc(0) }, fail('HTTP_401'));
  if (roll === 6) return platformScenario(r);
  if (roll === 7) {
    const s = storm(r);
    return { ...s, outcome: fail(s.outcome.code) };
  }
  if (roll === 8) return networkScenario(r, {}, c);
  return encodingScenario(r, {}, c);
}

// ---- audio ----

const AUDIO_TYPES = [['audio/mpeg'], ['audio/wav'], ['application/octet-stream'], [], ['audio/mpeg; charset=utf-8'], ['audio/mpeg', 'audio/wav']];

function goodAudio(r) {
  const body = r.chance(0.1) ? Buffer.alloc(0) : r.bytes(r.int(1, 200_000));
  const types = r.pick(AUDIO_TYPES);
  const f = { status: 200, headers: types.map((v) => ['Content-Type', v]), body };
  const roll = r.int(0, 9);
  f.framing = roll <= 4 ? 'length' : roll <= 7 ? 'chunked' : 'close';
  if (r.chance(0.2)) {
    f.encode = r.pick(['gzip', 'deflate', 'br']);
    f.headers.push(['Content-Encoding', f.encode]);
  }
  return scenario('audio', f, ok({ bytes: body, contentType: types[0] ?? 'application/octet-stream' }));
}

/**
 * An audio request's answer and what it must come to: for a download (file, buffer), or with
 * `forUrl` for isDownload=2, where only a redirect is an answer and anything else with a 2xx
 * status is BAD_RESPONSE.
 */
function audioScenario(r, c, forUrl = false) {
  const family = r.weighted([[40, 'ok'], [6, 'json'], [6, 'text'], [8, 'platform'], [8, 'status'], [10, 'storm'], [4, 'redirect'], [10, 'net'], [6, 'mid'], [3, 'enc'], [3, 'slow']]);
  switch (family) {
    case 'ok': {
      const s = goodAudio(r);
      return forUrl ? { ...s, outcome: BAD } : s;
    }
    case 'json':
      return scenario('audio-json', framed(r, { headers: [['Content-Type', 'application/json']], body: text(r.pick(['{"ok":true}', '[]', 'not json'])) }), BAD);
    case 'text':
      return scenario('audio-text', { headers: [['Content-Type', r.pick(['text/html', 'text/plain'])]], body: text('<html>login</html>'), framing: 'chunked' }, BAD);
    case 'platform':
      return platformScenario(r);
    case 'status': {
      // a 204 download is an empty recording; isDownload=2 wants a redirect
      const status = r.pick([400, 403, 404, 418, 304, 204]);
      const outcome = forUrl && (status === 304 || status === 204) ? BAD : status === 204 ? ok({ bytes: Buffer.alloc(0), contentType: 'application/octet-stream' }) : fail(`HTTP_${status}`);
      return scenario('status', { status, headers: [], body: Buffer.alloc(0) }, outcome);
    }
    case 'storm':
      return storm(r);
    case 'redirect': {
      const status = r.pick([301, 302, 307]);
      const location = `http://127.0.0.1:${c.trapPort}/x.mp3`;
      return scenario('redirect', { status, headers: [['Location', location]], body: Buffer.alloc(0) }, forUrl ? ok(location) : fail(`HTTP_${status}`));
    }
    case 'net': {
      const kind = r.pick(['rst', 'fin', 'garbage']);
      if (kind === 'garbage') return scenario(kind, { action: 'garbage', body: text('ICY 200 OK\r\n\r\n') }, BAD);
      return scenario(kind, { action: kind }, fail('ECONNRESET', { retry: true }));
    }
    case 'mid': {
      // cut after the headers (with a FIN: a RST may discard the headers on their way)
      const body = r.bytes(r.int(10, 100_000));
      return scenario('audio-cut', { headers: [['Content-Type', 'audio/mpeg']], body, framing: r.pick(['length', 'chunked']), cutAt: r.int(0, body.length - 1), cutHow: 'fin' }, forUrl ? BAD : fail('ECONNRESET'));
    }
    case 'enc': {
      // random bytes under a gzip or br label: brotli takes some of them, as axios decodes them
      const encoding = r.pick(['gzip', 'br']);
      const body = r.bytes(r.int(20, 5000));
      const decoded = lenientDecode(encoding, body);
      return scenario(`${encoding}-garbage`, { headers: [['Content-Type', 'audio/mpeg'], ['Content-Encoding', encoding]], body }, decoded && !forUrl ? ok({ bytes: decoded, contentType: 'audio/mpeg' }) : BAD);
    }
    default: {
      if (r.chance(0.5)) return scenario('slow-headers', { action: 'stall' }, fail('ETIMEDOUT', { retry: true, slow: true }));
      const body = r.bytes(r.int(10, 50_000));
      return scenario('slow-body', { headers: [['Content-Type', 'audio/mpeg']], body, stallAt: r.int(0, body.length - 1) }, forUrl ? BAD : fail('ETIMEDOUT', { slow: true }));
    }
  }
}

/** isDownload=2: the Location, resolved against the request URL, or BAD_RESPONSE. */
function redirectScenario(r, c, base) {
  const status = r.pick([301, 302, 303, 307, 308]);
  const requestUrl = `${base}/api/cdr/2.0/recordings/open/call/${c.id}/stream?isDownload=2&isWav=0`;
  const [location, outcome] = r.pick([
    [`http://127.0.0.1:${c.trapPort}/files/${c.id}.mp3`, 'as-is'],
    ['https://files.invalid/a.mp3?sig=a%2Fb&x=1', 'as-is'],
    [requestUrl, 'as-is'],
    [`/files/${c.id}.mp3`, 'relative'],
    ['x.mp3', 'relative'],
    ['../../y.mp3?a=b c', 'relative'],
    ['//cdn.invalid/z.mp3', 'relative'],
    ['ftp://files.invalid/a.mp3', 'bad'],
    ['file:///etc/passwd', 'bad'],
    ['javascript:alert(1)', 'bad'],
    ['data:audio/mpeg;base64,AAAA', 'bad'],
    ['mailto:x@y.invalid', 'bad'],
    ['', 'bad'],
    [undefined, 'bad'],
  ]);
  const headers = location === undefined ? [] : [['Location', location]];
  let out;
  if (outcome === 'bad') out = BAD;
  else if (outcome === 'as-is') out = ok(location);
  else out = ok(new URL(location, requestUrl).toString());
  return scenario('redirect', { status, headers, body: r.chance(0.3) ? text('<html>moved</html>') : Buffer.alloc(0) }, out);
}

/** The answer of one API request of a JSON method. */
function apiScenario(r, m, c) {
  const family = r.weighted([[30, 'ok'], [13, 'shape'], [5, 'badjson'], [7, 'platform'], [7, 'status'], [10, 'storm'], [5, '401'], [11, 'net'], [4, 'enc'], [3, 'slow'], [0.5, 'huge']]);
  switch (family) {
    case 'ok':
      return goodScenario(r, m, c);
    case 'shape':
      return shapeScenario(r, m, c);
    case 'badjson':
      return badJsonScenario(r);
    case 'platform':
      return platformScenario(r);
    case 'status':
      return r.chance(0.6) ? statusScenario(r) : redirectOn(r, m);
    case 'storm':
      return storm(r);
    case '401':
      return unauthorizedScenario(r);
    case 'net':
      return networkScenario(r, m, c);
    case 'enc':
      return encodingScenario(r, m, c);
    case 'slow':
      return slowScenario(r, m, c);
    default:
      return hugeScenario(r);
  }
}

/** A redirect where none is expected: never followed, HTTP_<status>. */
function redirectOn(r) {
  const status = r.pick([301, 302, 303, 307, 308]);
  const location = r.pick(['/api/ext/v2/calls/uc', 'http://127.0.0.1:9/', 'https://evil.invalid/steal', 'file:///etc/passwd', '']);
  return scenario('redirect', { status, headers: [['Location', location]], body: Buffer.alloc(0) }, fail(`HTTP_${status}`));
}

// ---------------------------------------------------------------------------------------------
// a case: one call on a fresh client, its planned answers and what they must come to

/** Every HUGE_EVERY-th case answers 40 MB of JSON first, so every run has a few. */
const HUGE_EVERY = 300;

function makeCase(n, r, ctx) {
  const forceHuge = n % HUGE_EVERY === HUGE_EVERY / 2;
  const name = forceHuge ? r.pick(['getCall', 'dualCall', 'listRecordings', 'queryCalls', 'uploadRoster']) : r.weighted(Object.entries(METHODS).map(([k, m]) => [m.weight, k]));
  const m = METHODS[name];
  const c = {
    n,
    id: `case${n}x`,
    name,
    m,
    lang: r.pick(['en-US', 'zh-CN']),
    tokenStyle: r.pick(['json', 'query', 'form']),
    trapPort: ctx.trapPort,
    tokenPlan: [],
    apiPlan: [],
    pagePlans: new Map(),
    concurrency: r.int(1, 2),
    collect: r.chance(0.3),
    target: path.join(ctx.dir, `sub${n % 7}`, `case${n}x.mp3`),
    special: r.weighted([[88, null], [5, 'always401'], [4, 'close'], [3, 'abort']]),
  };
  // the token answers: mostly good, sometimes hostile first
  const tokens = m.kind === 'token' || r.chance(0.15) ? [r.chance(0.3) ? goodToken(r, c) : badToken(r, c)] : [];
  tokens.push(goodToken(r, c), goodToken(r, c));
  c.tokenPlan = tokens;

  if (c.special === 'always401') {
    c.tokenPlan = [goodToken(r, c), goodToken(r, c), goodToken(r, c)];
    if (m.kind === 'range' || m.kind === 'token') c.special = null;
    else {
      const s = m.kind === 'redirect' || m.kind === 'stream' ? scenario('401', { status: 401 }, fail('HTTP_401', { unauthorized: true })) : unauthorizedScenario(r);
      c.apiPlan = [s, s, s, s, s, s];
    }
  }
  if (c.special === 'close' || c.special === 'abort') {
    if (m.kind === 'token' || m.kind === 'range') c.special = null;
    else {
      c.tokenPlan = [goodToken(r, c)];
      const mid = m.kind === 'stream' && r.chance(0.5);
      c.apiPlan = [scenario(mid ? 'held-mid' : 'held', mid ? { headers: [['Content-Type', 'audio/mpeg']], body: r.bytes(5000), stallAt: 1000, hold: true } : { action: 'stall', hold: true }, fail('ABORTED'))];
    }
  }
  if (!c.special) {
    if (m.kind === 'get' || m.kind === 'post') {
      const length = m.kind === 'get' ? r.int(1, 4) : r.int(1, 2);
      for (let i = 0; i < length; i++) c.apiPlan.push(apiScenario(r, m, c));
      c.apiPlan.push(goodScenario(r, m, c));
    } else if (m.kind === 'stream') {
      const length = r.int(1, 3);
      for (let i = 0; i < length; i++) c.apiPlan.push(audioScenario(r, c));
      c.apiPlan.push(goodAudio(r));
    } else if (m.kind === 'redirect') {
      const length = r.int(1, 3);
      for (let i = 0; i < length; i++) c.apiPlan.push(r.chance(0.5) ? redirectScenario(r, c, ctx.url) : audioScenario(r, c, true));
      c.apiPlan.push(redirectScenario(r, c, ctx.url));
    } else if (m.kind === 'range') {
      makeRange(r, c);
    }
  }
  if (forceHuge) {
    c.special = null;
    c.tokenPlan = [goodToken(r, c)];
    c.apiPlan = [scenario('huge', { headers: [['Content-Type', 'application/json']], huge: 40 * 1024 * 1024 }, fail('BAD_RESPONSE', { huge: true })), goodScenario(r, m, c)];
  }
  const all = [...c.tokenPlan, ...c.apiPlan, ...[...c.pagePlans.values()].flat()];
  c.slow = all.some((s) => s.outcome && s.outcome.slow) || c.special === 'close' || c.special === 'abort';
  if (c.slow) {
    // a short timeout makes the slow answers quick to give up on; huge ones need a long one
    for (const plan of [c.tokenPlan, c.apiPlan, ...c.pagePlans.values()]) {
      for (let i = 0; i < plan.length; i++) if (plan[i].outcome && plan[i].outcome.huge) plan[i] = m.good ? goodScenario(r, m, c) : goodToken(r, c);
    }
  }
  c.timeout = c.slow && !c.special ? SHORT_TIMEOUT_MS : TIMEOUT_MS;
  return c;
}

/** A range of 0-10 records in pages of 3; some pages answer badly first (or for good). */
function makeRange(r, c) {
  c.records = Array.from({ length: r.int(0, 10) }, (_, i) => CALL_RECORD(c, i));
  c.withTotal = r.chance(0.75);
  c.hugeTotal = c.withTotal && r.chance(0.08);
  if (c.hugeTotal) c.records = c.records.slice(0, 3);
  const pages = c.withTotal ? Math.max(1, Math.ceil(c.records.length / PAGE_SIZE)) : Math.floor(c.records.length / PAGE_SIZE) + 1;
  c.pageCount = c.hugeTotal ? 2 : pages;
  // a total of 1e300: page 2 comes back empty and ends the range; pages fetched ahead may be asked
  c.maxPage = c.hugeTotal ? 1 + c.concurrency : c.pageCount;
  for (let p = 1; p <= c.pageCount; p++) {
    const plan = [];
    if (r.chance(0.35)) {
      const length = r.int(1, 3);
      for (let i = 0; i < length; i++) {
        const family = r.weighted([[3, 'badjson'], [3, 'shape'], [3, 'platform'], [2, 'status'], [8, 'storm'], [8, 'net'], [2, 'enc'], [2, 'slow']]);
        if (family === 'badjson') plan.push(badJsonScenario(r));
        else if (family === 'shape') plan.push(scenario('shape', framed(r, { headers: jsonHeaders(r), body: text(r.pick(['"x"', '7', 'null', '', '<html>proxy</html>'])) }), BAD));
        else if (family === 'platform') plan.push(platformScenario(r));
        else if (family === 'status') plan.push(statusScenario(r));
        else if (family === 'storm') plan.push(storm(r));
        else if (family === 'net') plan.push(networkScenario(r, { good: () => [pageBody(c, p)] }, c));
        else if (family === 'enc') plan.push(encodingScenario(r, { good: () => [pageBody(c, p)] }, c));
        else plan.push(slowScenario(r, { good: () => [pageBody(c, p)] }, c));
      }
    }
    plan.push(scenario('ok', framed(r, { headers: jsonHeaders(r), body: pageBody(c, p) }), ok(null)));
    c.pagePlans.set(p, plan);
  }
}

function pageBody(c, p) {
  const list = c.records.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE);
  if (p === 1 && c.hugeTotal) return text(`{"total":1e300,"list":${JSON.stringify(list)}}`);
  return text(JSON.stringify(p === 1 && c.withTotal ? { total: c.records.length, list } : { list }));
}

// ---------------------------------------------------------------------------------------------
// what a case must come to: the documented rules, played over the plan

/** The GET (3 attempts) or POST (1) attempts of one phase: the served scenarios and the last one. */
function phase(plan, from, attempts) {
  let i = from;
  for (let n = 1; ; n++) {
    const sc = plan[Math.min(i, plan.length - 1)];
    i++;
    const o = sc.outcome;
    if (o.kind === 'error' && o.retry && n < attempts) continue;
    return { next: i, last: o };
  }
}

/** Expected {result | error, tokens, api} of a case with JSON, stream or redirect calls. */
function expectCall(c) {
  const attempts = c.m.kind === 'post' ? 1 : RETRY.attempts;
  let tokens = 0;
  const token = () => {
    const o = c.tokenPlan[Math.min(tokens, c.tokenPlan.length - 1)].outcome;
    tokens++;
    return o;
  };
  const t1 = token();
  if (t1.kind === 'error') return { outcome: t1, tokens, api: 0 };
  let api = 0;
  let p = phase(c.apiPlan, 0, attempts);
  api = p.next;
  if (p.last.kind === 'error' && p.last.unauthorized) {
    const t2 = token();
    if (t2.kind === 'error') return { outcome: t2, tokens, api };
    p = phase(c.apiPlan, api, attempts);
    api = p.next;
  }
  return { outcome: p.last, tokens, api };
}

// ---------------------------------------------------------------------------------------------
// the server

function startServer(handler) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (b) => chunks.push(b));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
    req.on('error', () => undefined);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.timers = new Set();
    s.on('error', () => undefined);
    s.on('close', () => {
      sockets.delete(s);
      for (const t of s.timers) clearTimeout(t);
    });
  });
  server.on('clientError', (e, s) => s.destroy());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        server,
        sockets,
        url: `http://127.0.0.1:${server.address().port}`,
        port: server.address().port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function later(sock, ms, fn) {
  const t = setTimeout(() => {
    sock.timers.delete(t);
    fn();
  }, ms);
  sock.timers.add(t);
}

function encodeBody(sc) {
  switch (sc.encode) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gzipSync(sc.body);
    case 'deflate':
      return zlib.deflateSync(sc.body);
    case 'br':
      return zlib.brotliCompressSync(sc.body);
    default:
      return sc.body;
  }
}

/** Writes the answer of `sc` on the raw socket (or through Node's response for framing 'node'). */
function answer(req, res, scenarioServed, c, log) {
  const sock = req.socket;
  const sc = scenarioServed.bodyFn ? { ...scenarioServed, body: scenarioServed.bodyFn(c) } : scenarioServed;
  const hold = () => {
    if (sc.hold && c.onHeld) c.onHeld();
  };
  if (sc.action === 'rst') return sock.resetAndDestroy();
  if (sc.action === 'fin') return sock.end();
  if (sc.action === 'stall') return hold();
  if (sc.action === 'garbage') return sock.end(sc.body);
  if (sc.framing === 'node') {
    const headers = {};
    for (const [k, v] of sc.headers) headers[k] = headers[k] ? [].concat(headers[k], v) : v;
    res.writeHead(sc.status, headers);
    return res.end(sc.body);
  }
  const body = encodeBody(sc);
  const lines = [];
  for (const p of sc.pre || []) lines.push(`HTTP/1.1 ${p}\r\n${p.startsWith('103') ? 'Link: </x.css>; rel=preload\r\n' : ''}\r\n`);
  let head = `HTTP/1.1 ${sc.status} ${REASONS[sc.status] || 'Odd'}\r\n`;
  for (const [k, v] of sc.headers) head += `${k}: ${v}\r\n`;
  const chunked = sc.framing === 'chunked';
  if (sc.huge) head += `Content-Length: ${sc.huge}\r\n`;
  else if (chunked) head += 'Transfer-Encoding: chunked\r\n';
  else if (sc.framing === 'length' && sc.status !== 304 && sc.status !== 204 && sc.status !== 101) head += `Content-Length: ${sc.cutAt !== undefined ? body.length + 10 : body.length}\r\n`;
  head += 'Connection: close\r\n\r\n';
  sock.write(lines.join('') + head);
  if (sc.huge) return writeHuge(sock, sc.huge, log);
  const frame = (b) => (chunked ? (b.length ? Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]) : Buffer.alloc(0)) : b);
  const tail = chunked ? Buffer.from('0\r\n\r\n') : Buffer.alloc(0);
  if (sc.cutAt !== undefined) {
    sock.write(frame(body.subarray(0, sc.cutAt)));
    return later(sock, 2, () => {
      if (sock.destroyed) return;
      if (sc.cutHow === 'rst') sock.resetAndDestroy();
      else sock.end();
    });
  }
  if (sc.stallAt !== undefined) {
    sock.write(frame(body.subarray(0, sc.stallAt)));
    hold();
    return undefined; // never finished: the client gives up
  }
  // a body in a few pieces, so the client parses it across reads
  let at = 0;
  const pieces = [];
  while (at < body.length) {
    const n = Math.min(body.length - at, 1 + ((at * 7919 + body.length) % 65536));
    pieces.push(body.subarray(at, at + n));
    at += n;
  }
  for (const p of pieces) sock.write(frame(p));
  sock.end(tail);
  return undefined;
}

/** Streams `size` bytes of valid JSON with backpressure; notes whether all of it was written. */
function writeHuge(sock, size, log) {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const open = Buffer.from('{"list":[');
  const close = Buffer.from(']}');
  let sent = 0;
  const entry = { complete: false };
  log.huge.push(entry);
  const pump = () => {
    if (sock.destroyed) return;
    if (sent === 0) {
      sock.write(open);
      sent = open.length;
    }
    while (sent < size - close.length) {
      const n = Math.min(chunk.length, size - close.length - sent);
      sent += n;
      if (!sock.write(chunk.subarray(0, n))) return void sock.once('drain', pump);
    }
    sock.end(close, () => {
      entry.complete = true;
    });
  };
  pump();
}

// ---------------------------------------------------------------------------------------------
// checks

function secretForms(s) {
  return [...new Set([s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), JSON.stringify(s).slice(1, -1)])];
}

function assertCleanError(err, secrets, where) {
  assert.ok(err && err.name === 'WellcloudError', `${where}: not a WellcloudError: ${util.inspect(err)}`);
  const texts = [err.message, err.stack, JSON.stringify(err), util.inspect(err, { depth: 10, showHidden: true }), String(err), JSON.stringify(err.details ?? null)];
  for (const t of texts) {
    for (const s of secrets) for (const f of secretForms(s)) assert.ok(!String(t).includes(f), `${where}: a secret (${f}) leaked: ${t}`);
    assert.ok(!/axios\/\d|user-agent|accept-encoding|wellcloud_token\s*[:=]/i.test(t), `${where}: the request leaked: ${t}`);
  }
  for (const k of ['config', 'request', 'response', 'cause', 'headers']) assert.strictEqual(err[k], undefined, `${where}: err.${k}`);
  assert.ok(typeof err.message === 'string' && err.message.length > 0 && err.message.length < 2000, `${where}: message ${err.message.length} chars`);
}

// ---------------------------------------------------------------------------------------------

describe('lib/client against a hostile server: seeded fuzz', function () {
  this.timeout(120_000);
  const problems = [];
  const onUnhandled = (e) => problems.push(['unhandledRejection', e]);
  const onUncaught = (e) => problems.push(['uncaughtException', e]);
  const onWarning = (w) => problems.push(['warning', w]);
  let srv;
  let trap;
  let dir;
  const trapHits = [];
  const cases = new Map();
  const log = { huge: [] };

  before(async function () {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUncaught);
    process.on('warning', onWarning);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-hostile-'));
    trap = await startServer((req, res) => {
      trapHits.push(`${req.method} ${req.url}`);
      res.end();
    });
    srv = await startServer(handle);
  });

  after(async function () {
    process.removeListener('unhandledRejection', onUnhandled);
    process.removeListener('uncaughtException', onUncaught);
    process.removeListener('warning', onWarning);
    if (srv) await srv.close();
    if (trap) await trap.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Routes a request to its case (`case<n>x` in the URL or body) and serves the planned answer. */
  function handle(req, res, body) {
    const m = /case(\d+)x/.exec(`${req.url} ${body.toString('latin1')}`);
    const c = m && cases.get(Number(m[1]));
    if (!c) {
      res.writeHead(599);
      res.end('unknown case');
      return;
    }
    const url = new URL(req.url, 'http://x');
    const entry = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), token: req.headers.wellcloud_token };
    let sc;
    if (url.pathname === '/accesstoken/apply') {
      entry.kind = 'token';
      sc = c.tokenPlan[Math.min(c.served.tokens.length, c.tokenPlan.length - 1)];
      c.served.tokens.push(entry);
      if (sc.outcome.kind === 'ok') {
        c.lastToken = sc.outcome.value.token;
        c.issued.push(c.lastToken);
      }
    } else if (c.m.kind === 'range') {
      entry.kind = 'page';
      const p = Number(url.searchParams.get('p'));
      const plan = c.pagePlans.get(p) || [scenario('ok', { headers: [['Content-Type', 'application/json']], body: pageBody(c, p) }, ok(null))];
      const seen = c.served.pages.get(p) || 0;
      c.served.pages.set(p, seen + 1);
      sc = plan[Math.min(seen, plan.length - 1)];
      c.served.api.push(entry);
    } else {
      entry.kind = 'api';
      sc = c.apiPlan[Math.min(c.served.api.length, c.apiPlan.length - 1)];
      c.served.api.push(entry);
    }
    entry.tag = sc.tag;
    answer(req, res, sc, c, log);
  }

  /** Runs case `c` on a fresh client and checks everything about it. */
  async function runCase(c) {
    // the tokens this case's client was given (no other case's token ever reaches it)
    const secrets = () => [APP_SECRET, API_KEY, ...c.issued];
    const where = `seed ${SEED} case ${c.n} (${c.name}${c.special ? `, ${c.special}` : ''}, ${c.tokenStyle}; token ${c.tokenPlan.map((s) => s.tag).join('/')}; api ${c.m.kind === 'range' ? [...c.pagePlans].map(([p, pl]) => `p${p}:${pl.map((s) => s.tag).join('/')}`).join(' ') : c.apiPlan.map((s) => s.tag).join('/')})`;
    c.served = { tokens: [], api: [], pages: new Map() };
    c.issued = [];
    const client = new WellcloudClient({ baseUrl: srv.url, appId: c.id, appSecret: APP_SECRET, apiKey: API_KEY, tokenStyle: c.tokenStyle, timeout: c.timeout, retry: RETRY, lang: c.lang });
    const controller = new AbortController();
    const opts = c.special === 'abort' ? { signal: controller.signal } : {};
    if (c.special === 'close' || c.special === 'abort') {
      c.onHeld = () => setImmediate(() => (c.special === 'close' ? client.close() : controller.abort()));
    }
    const startedAt = Date.now();
    let settled;
    let watchdog;
    const deadline = new Promise((resolve) => {
      watchdog = setTimeout(() => resolve({ hung: true }), (c.timeout + 200) * 8 + 2000);
    });
    try {
      settled = await Promise.race([
        Promise.resolve()
          .then(() => c.m.run(client, c, opts))
          .then(
            (value) => ({ value }),
            (error) => ({ error }),
          ),
        deadline,
      ]);
    } finally {
      clearTimeout(watchdog);
      client.close();
    }
    const endedAt = Date.now();
    assert.ok(!settled.hung, `${where}: the call did not settle`);
    if (settled.error) assertCleanError(settled.error, secrets(), where);

    if (c.m.kind === 'range') return checkRange(c, settled, where);
    if (c.m.kind === 'token') return checkToken(c, settled, where, startedAt, endedAt);
    return checkCall(c, settled, where);
  }

  function describeOutcome(settled) {
    return settled.error ? `${settled.error.code}: ${settled.error.message}` : `resolved ${util.inspect(settled.value, { depth: 3 }).slice(0, 300)}`;
  }

  function checkToken(c, settled, where, startedAt, endedAt) {
    const want = c.tokenPlan[0].outcome;
    assert.strictEqual(c.served.tokens.length, 1, `${where}: ${c.served.tokens.length} token applications`);
    if (want.kind === 'ok') {
      assert.ok(!settled.error, `${where}: expected a token, got ${describeOutcome(settled)}`);
      assert.deepStrictEqual(Object.keys(settled.value).sort(), ['expiresAt', 'token']);
      assert.strictEqual(settled.value.token, want.value.token, where);
      const { expiresAt } = settled.value;
      assert.ok(Number.isFinite(expiresAt) && !Number.isNaN(new Date(expiresAt).getTime()), `${where}: expiresAt ${expiresAt}`);
      assert.ok(expiresAt >= startedAt + want.value.lifetime && expiresAt <= endedAt + want.value.lifetime, `${where}: expiresAt ${expiresAt - startedAt} ms after the start, want ${want.value.lifetime}`);
    } else {
      assert.ok(settled.error, `${where}: expected ${want.code}, got ${describeOutcome(settled)}`);
      assert.strictEqual(settled.error.code, want.code, `${where}: ${describeOutcome(settled)}`);
    }
  }

  function checkCall(c, settled, where) {
    const want = c.special === 'close' || c.special === 'abort' ? { outcome: fail('ABORTED'), tokens: 1, api: 1 } : expectCall(c);
    const o = want.outcome;
    const got = describeOutcome(settled);
    assert.strictEqual(c.served.tokens.length, want.tokens, `${where}: ${c.served.tokens.length} token applications, want ${want.tokens}; ${got}`);
    assert.strictEqual(c.served.api.length, want.api, `${where}: the server saw ${c.served.api.length} requests, want ${want.api}; ${got}`);
    if (c.m.rings || c.name === 'uploadRoster') {
      // never sent twice, except the single repeat after a 401, with a renewed token
      assert.ok(c.served.api.length <= 2, where);
      if (c.served.api.length === 2) {
        assert.ok(c.apiPlan[0].outcome.unauthorized, `${where}: sent twice without a 401`);
        assert.notStrictEqual(c.served.api[0].token, c.served.api[1].token, `${where}: repeated with the same token`);
      }
    }
    if (o.kind === 'ok') {
      assert.ok(!settled.error, `${where}: expected success, got ${got}`);
      if (c.m.kind === 'stream') return checkAudio(c, settled.value, o.value, where);
      if (c.m.kind === 'redirect') return assert.strictEqual(settled.value, o.value, where);
      return c.m.check(settled.value, o.value);
    }
    assert.ok(settled.error, `${where}: expected ${o.code}, got ${got}`);
    assert.strictEqual(settled.error.code, o.code, `${where}: expected ${o.code}, got ${got}`);
    if (settled.error.code === 'ABORTED' && c.m.rings) assert.strictEqual(settled.error.details && settled.error.details.callMayBePlaced, true, `${where}: callMayBePlaced`);
    if (c.name === 'audioFile') assertNoFile(c, where);
    return undefined;
  }

  function checkAudio(c, value, want, where) {
    if (c.name === 'audioFile') {
      assert.deepStrictEqual(Object.keys(value).sort(), ['bytes', 'contentType', 'path'], where);
      assert.strictEqual(value.path, c.target, where);
      assert.strictEqual(value.bytes, want.bytes.length, where);
      assert.strictEqual(value.contentType, want.contentType, where);
      assert.ok(fs.readFileSync(c.target).equals(want.bytes), `${where}: the file differs from the answer`);
      c.savedFile = true;
    } else {
      assert.ok(Buffer.isBuffer(value.buffer) && value.buffer.equals(want.bytes), `${where}: the buffer differs from the answer`);
      assert.strictEqual(value.contentType, want.contentType, where);
    }
  }

  function assertNoFile(c, where) {
    assert.ok(!fs.existsSync(c.target), `${where}: a failed download left ${c.target}`);
    const d = path.dirname(c.target);
    const left = fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.includes(path.basename(c.target))) : [];
    assert.deepStrictEqual(left, [], `${where}: a failed download left a partial file`);
  }

  function checkRange(c, settled, where) {
    const got = describeOutcome(settled);
    assert.strictEqual(c.served.tokens.length, 1, `${where}: ${c.served.tokens.length} token applications`);
    const token = c.tokenPlan[0].outcome;
    if (token.kind === 'error') {
      assert.ok(settled.error, `${where}: expected ${token.code} from the token application, got ${got}`);
      assert.strictEqual(settled.error.code, token.code, `${where}: ${got}`);
      assert.strictEqual(c.served.pages.size, 0, where);
      return;
    }
    // every page, in order: its attempts and its last answer
    let failed;
    const expectAttempts = new Map();
    for (let p = 1; p <= c.pageCount; p++) {
      const ph = phase(c.pagePlans.get(p), 0, RETRY.attempts);
      expectAttempts.set(p, ph.next);
      if (ph.last.kind === 'error') {
        failed = { p, outcome: ph.last };
        break;
      }
    }
    const collectCapped = c.collect && c.hugeTotal;
    if (failed && !(collectCapped && failed.p > 1)) {
      assert.ok(settled.error, `${where}: expected ${failed.outcome.code} from page ${failed.p}, got ${got}`);
      assert.strictEqual(settled.error.code, failed.outcome.code, `${where}: page ${failed.p}; ${got}`);
      for (let p = 1; p <= failed.p; p++) assert.strictEqual(c.served.pages.get(p), expectAttempts.get(p), `${where}: page ${p} asked ${c.served.pages.get(p)} times, want ${expectAttempts.get(p)}`);
    } else if (collectCapped) {
      assert.ok(settled.error && settled.error.code === 'MAX_RECORDS', `${where}: expected MAX_RECORDS, got ${got}`);
      assert.strictEqual(c.served.pages.get(1), expectAttempts.get(1), where);
    } else {
      assert.ok(!settled.error, `${where}: expected ${c.records.length} records, got ${got}`);
      assert.deepStrictEqual(settled.value, c.records, where);
      for (let p = 1; p <= c.pageCount; p++) assert.strictEqual(c.served.pages.get(p), expectAttempts.get(p), `${where}: page ${p} asked ${c.served.pages.get(p)} times, want ${expectAttempts.get(p)}`);
    }
    for (const [p, n] of c.served.pages) {
      assert.ok(p >= 1 && p <= c.maxPage, `${where}: asked for page ${p} of ${c.maxPage}`);
      assert.ok(n <= RETRY.attempts, `${where}: page ${p} asked ${n} times`);
    }
  }

  it(`settles every call as documented against ${COUNT} hostile scenarios, leaking nothing (seed ${SEED})`, async function () {
    const r = prng(SEED);
    const ctx = { dir, url: srv.url, trapPort: trap.port };
    // after mocha has armed its own timeout for this test, which belongs to the baseline
    await new Promise((resolve) => setImmediate(resolve));
    const baseline = resourceCounts();
    const list = [];
    for (let n = 1; n <= COUNT; n++) {
      const c = makeCase(n, r, ctx);
      cases.set(n, c);
      list.push(c);
    }
    let next = 0;
    const failures = [];
    const worker = async () => {
      while (next < list.length) {
        const c = list[next++];
        try {
          await runCase(c);
        } catch (e) {
          failures.push(e);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (failures.length) {
      if (process.env.WELLCLOUD_FUZZ_DUMP) fs.writeFileSync(process.env.WELLCLOUD_FUZZ_DUMP, failures.map((e) => e.message).join('\n---\n'));
      const shown = failures.slice(0, 8).map((e) => e.message).join('\n---\n');
      assert.fail(`${failures.length} of ${COUNT} cases failed:\n${shown}`);
    }

    // the whole run
    const requests = list.reduce((n, c) => n + c.served.tokens.length + c.served.api.length, 0);
    assert.ok(requests > 2 * COUNT, `${requests} requests for ${COUNT} cases`);
    assert.deepStrictEqual(trapHits, [], 'a redirect was followed to another host');
    for (const h of log.huge) assert.strictEqual(h.complete, false, 'the client read a huge answer to its end');
    assert.ok(log.huge.length >= Math.floor(COUNT / HUGE_EVERY), `${log.huge.length} huge answers served`);
    const leftovers = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.part'));
    assert.deepStrictEqual(leftovers, [], 'partial files left behind');
    const saved = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.mp3'));
    assert.strictEqual(saved.length, list.filter((c) => c.savedFile).length, 'files other than the saved downloads');
    assert.strictEqual({}.polluted, undefined, 'Object.prototype polluted');
    assert.strictEqual({}.callId, undefined, 'Object.prototype polluted');
    // every client is closed: its sockets and timers are gone (the servers' own sockets close with them)
    const settledCounts = await waitFor(() => {
      const now = resourceCounts();
      return ['TCPSocketWrap', 'Timeout', 'FSReqCallback', 'FileHandle'].every((k) => (now[k] || 0) <= (baseline[k] || 0)) ? now : undefined;
    }, 3000);
    assert.ok(settledCounts, `resources left after closing every client: ${JSON.stringify(resourceCounts())} (before: ${JSON.stringify(baseline)})`);
    assert.deepStrictEqual(problems.map(([k, e]) => `${k}: ${e && e.stack ? e.stack : e}`), [], 'process-level problems');
  });
});

function resourceCounts() {
  const out = {};
  for (const k of process.getActiveResourcesInfo()) out[k] = (out[k] || 0) + 1;
  return out;
}

async function waitFor(fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v || Date.now() > end) return v;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
