'use strict';
/*
 * The sandbox (lib/sandbox): strict like the platform. Raw HTTP with Node's fetch; no client
 * code of ours is involved. Every assertion here is about what the sandbox answers.
 */
const assert = require('assert');
const sb = require('../../dist/lib/sandbox');

const { startSandbox, DEMO_CREDENTIALS, DEMO_DOMAIN, DEMO_TENANT_ID, DEMO_CAMPAIGN_ID, SAMPLE_CALL_ID, SAMPLE_RECORDING_ID,
  NO_RECORDING_CALL_ID, SAMPLE_ROBOT_CALL_ID, UNKNOWN_CALL_ID, OLD_RECORDING_ID } = sb;

const CALLS = '/api/cdr/2.0/calls/open';
const ROBOT = '/api/cdr/2.0/open/calls/robot';
const REC_LIST = (id) => `/api/cdr/2.0/recordings/open/call/${id}`;
const CALL_STREAM = (id) => `/api/cdr/2.0/recordings/open/call/${id}/stream`;
const REC_STREAM = (id) => `/api/cdr/2.0/recordings/open/recording/${id}/stream`;
const range = (beginTime, endTime, extra = {}) => ({ beginTime, endTime, isOrder: '1', domain: DEMO_DOMAIN, ...extra });

// Raw HTTP helpers for the sandbox specs (Node's fetch; no client code of ours).

/** Applies for a demo token (JSON style). */
async function applyToken(sb, creds) {
  const res = await fetch(`${sb.url}/accesstoken/apply`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(creds || DEMO_CREDENTIALS),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** GET {path}?{query} with the token; resolves {status, headers, body (parsed JSON or Buffer)}. */
async function get(sb, token, path, query, init = {}) {
  const qs = query ? `?${new URLSearchParams(query)}` : '';
  const headers = token ? { wellcloud_token: token } : {};
  const res = await fetch(`${sb.url}${path}${qs}`, { redirect: 'manual', ...init, headers: { ...headers, ...(init.headers || {}) } });
  return read(res);
}

async function postJson(sb, token, path, body, headers = {}) {
  const res = await fetch(`${sb.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { wellcloud_token: token } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return read(res);
}

async function read(res) {
  const buf = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') || '';
  const body = /json/.test(type) && buf.length ? JSON.parse(buf.toString('utf8')) : buf;
  return { status: res.status, headers: res.headers, body };
}

/** A multipart/form-data body from [{name, filename?, content}] in order. */
function multipart(parts, boundary = '----sandboxBoundary7MA4YWxkTrZu0gW') {
  const chunks = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.filename ? 'Content-Type: text/plain\r\n' : ''}\r\n`));
    chunks.push(Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(sb, token, query, parts) {
  const { body, contentType } = multipart(parts);
  const qs = query ? `?${new URLSearchParams(query)}` : '';
  const res = await fetch(`${sb.url}/api/ros/2.0/batches${qs}`, {
    method: 'POST',
    headers: { 'content-type': contentType, wellcloud_token: token },
    body,
  });
  return read(res);
}

/** Asserts the platform error body shape and returns it. */
function assertError(assert, r, status, errorCode) {
  assert.strictEqual(r.status, status, JSON.stringify(r.body));
  assert.strictEqual(r.body.errorCode, errorCode, JSON.stringify(r.body));
  assert.strictEqual(typeof r.body.errorMessage, 'string');
  assert.ok(r.body.errorMessage.length > 0);
  assert.strictEqual(typeof r.body.instanceId, 'string');
  assert.strictEqual(typeof r.body.exceptionName, 'string');
  return r.body;
}

/** Resolves with the first `count` events named `name` for which `filter` holds. */
function collect(events, name, count, filter = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const got = [];
    const t = setTimeout(() => {
      events.removeListener(name, on);
      reject(new Error(`${got.length}/${count} ${name} events`));
    }, timeoutMs);
    function on(e) {
      if (!filter(e)) return;
      got.push(e);
      if (got.length === count) {
        clearTimeout(t);
        events.removeListener(name, on);
        resolve(got);
      }
    }
    events.on(name, on);
  });
}


const BOUNDARY_KEYS_4_5_2 = ['callId', 'callTypeName', 'callType', 'ani', 'dnis', 'displayNumber', 'campaignName', 'groupCampaignName', 'batchName',
  'customerRosterId', 'beginTime', 'customerId', 'result', 'resultCode', 'talkLength', 'endTypeName', 'endType', 'c0', 'c1', 'c2'];
const ROBOT_KEYS = ['callId', 'callTypeName', 'ani', 'dnis', 'batchId', 'batchName', 'round', 'rosterId', 'beginTime', 'endTime', 'customerAnswerTime',
  'result', 'conclusion', 'intent', 'talkLength', 'chatBotTemplate', 'ivrNo', 'campaignId'];
const RECORDING_KEYS = ['id', 'callId', 'deviceId', 'timeIn', 'startTime', 'endTime', 'recordChannel', 'recordLength', 'recordType', 'recordFormat',
  'filePath', 'repoId', 'failReason', 'recordingRepoNfsPath', 'recordingRepoRecordingPath', 'audioInMos'];

describe('sandbox', function () {
  this.timeout(10000);
  let s;
  let token;

  before(async function () {
    s = await startSandbox({ callDurationMs: 300 });
    token = await applyToken(s);
  });
  after(async function () {
    await s.close();
  });

  describe('authentication', function () {
    it('issues a random 32-character token for the demo credentials (JSON body)', async function () {
      const before = s.tokenApplications;
      const r = await postJson(s, null, '/accesstoken/apply', DEMO_CREDENTIALS);
      assert.strictEqual(r.status, 200);
      assert.deepStrictEqual(Object.keys(r.body), ['token']);
      assert.match(r.body.token, /^[A-Za-z0-9]{32}$/);
      assert.notStrictEqual(r.body.token, token);
      assert.ok(s.issuedTokens().includes(r.body.token));
      assert.strictEqual(s.tokenApplications, before + 1);
    });

    it('answers 403 without wellcloud_token and 401 with an unknown one', async function () {
      assertError(assert, await get(s, null, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`), 403, 403);
      assertError(assert, await get(s, 'x'.repeat(32), `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`), 401, 401);
    });

    it('refuses wrong credentials with 401 and a missing value with 400 naming it', async function () {
      const bad = assertError(assert, await postJson(s, null, '/accesstoken/apply', { ...DEMO_CREDENTIALS, appSecret: 'nope' }), 401, 401);
      assert.strictEqual(bad.instanceId, 'sandbox-auth');
      const { apiKey, ...noKey } = DEMO_CREDENTIALS;
      void apiKey;
      const missing = assertError(assert, await postJson(s, null, '/accesstoken/apply', noKey), 400, 400);
      assert.match(missing.errorMessage, /apiKey/);
    });

    it('accepts only the configured token styles (default: json)', async function () {
      const q = new URLSearchParams(DEMO_CREDENTIALS);
      const viaQuery = await read(await fetch(`${s.url}/accesstoken/apply?${q}`, { method: 'POST' }));
      assert.match(assertError(assert, viaQuery, 400, 400).errorMessage, /query/);
      const viaForm = await read(await fetch(`${s.url}/accesstoken/apply`, { method: 'POST', body: q }));
      assert.match(assertError(assert, viaForm, 400, 400).errorMessage, /form/);
      assertError(assert, await get(s, null, '/accesstoken/apply'), 405, 405);
    });

    it('accepts query and form styles when enabled, and announces the lifetime when asked', async function () {
      const other = await startSandbox({ tokenStyles: ['query', 'form'], announceTtl: true, tokenTtlMs: 3600 * 1000, callsPerDay: 0 });
      try {
        const q = new URLSearchParams(DEMO_CREDENTIALS);
        const viaQuery = await read(await fetch(`${other.url}/accesstoken/apply?${q}`, { method: 'POST' }));
        assert.strictEqual(viaQuery.status, 200);
        assert.strictEqual(viaQuery.body.expiresIn, 3600);
        const viaForm = await read(await fetch(`${other.url}/accesstoken/apply`, { method: 'POST', body: q }));
        assert.strictEqual(viaForm.status, 200);
        assert.match(viaForm.body.token, /^[A-Za-z0-9]{32}$/);
        assertError(assert, await postJson(other, null, '/accesstoken/apply', DEMO_CREDENTIALS), 400, 400);
      } finally {
        await other.close();
      }
    });

    it('answers 401 once a token expired (lifetime) or was expired by expireTokens()', async function () {
      const short = await startSandbox({ tokenTtlMs: 150, callsPerDay: 0 });
      try {
        const t = await applyToken(short);
        assert.strictEqual((await get(short, t, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`)).status, 200);
        await new Promise((r) => setTimeout(r, 200));
        assertError(assert, await get(short, t, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`), 401, 401);
        const t2 = await applyToken(short);
        short.expireTokens();
        assertError(assert, await get(short, t2, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`), 401, 401);
        const t3 = await applyToken(short);
        assert.strictEqual((await get(short, t3, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`)).status, 200);
      } finally {
        await short.close();
      }
    });
  });

  describe('routing', function () {
    it('answers 404 for an unknown path and 405 for a wrong method', async function () {
      assertError(assert, await get(s, token, '/api/cdr/2.0/calls/opened'), 404, 404);
      assertError(assert, await get(s, token, `${CALLS}/`), 404, 404);
      const r = assertError(assert, await postJson(s, token, CALLS, {}), 405, 405);
      assert.ok(r);
      assertError(assert, await get(s, token, '/api/ext/v2/calls/uc'), 405, 405);
    });

    it('answers 400 for a path parameter whose percent-encoding is broken', async function () {
      const r = assertError(assert, await get(s, token, '/api/cdr/2.0/calls/open/call/%E0%A4%A'), 400, 400);
      assert.match(r.errorMessage, /路径参数编码非法/);
    });
  });

  describe('recordings', function () {
    it('lists the recording records of a call', async function () {
      const r = await get(s, token, REC_LIST(SAMPLE_CALL_ID));
      assert.strictEqual(r.status, 200);
      assert.ok(Array.isArray(r.body) && r.body.length === 2);
      for (const rec of r.body) {
        assert.deepStrictEqual(Object.keys(rec).sort(), [...RECORDING_KEYS].sort());
        assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
      }
      assert.ok(r.body.some((rec) => rec.id === SAMPLE_RECORDING_ID && rec.recordType === '2' && rec.recordFormat === 'MP3'));
    });

    it('answers HEAD on an audio path with the headers of the GET and no body', async function () {
      const head = await get(s, token, REC_STREAM(SAMPLE_RECORDING_ID), { isDownload: '1', isWav: '0' }, { method: 'HEAD' });
      const full = await get(s, token, REC_STREAM(SAMPLE_RECORDING_ID), { isDownload: '1', isWav: '0' });
      assert.strictEqual(head.status, 200);
      assert.strictEqual(head.headers.get('content-type'), full.headers.get('content-type'));
      assert.strictEqual(Number(head.headers.get('content-length')), full.body.length);
      assert.strictEqual(head.body.length, 0);
    });

    it('answers 14011 for an unknown call and 14012 for a call without recording', async function () {
      assertError(assert, await get(s, token, REC_LIST(UNKNOWN_CALL_ID)), 400, 14011);
      assertError(assert, await get(s, token, REC_LIST(NO_RECORDING_CALL_ID)), 400, 14012);
    });

    it('streams MP3 as MPEG-1 Layer III frames, attachment or inline', async function () {
      const r = await get(s, token, CALL_STREAM(SAMPLE_CALL_ID), { isDownload: '1', isWav: '0' });
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.headers.get('content-type'), 'audio/mpeg');
      assert.strictEqual(Number(r.headers.get('content-length')), r.body.length);
      assert.match(r.headers.get('content-disposition'), /^attachment; filename="e617caaf-[^"]+\.mp3"$/);
      assert.strictEqual(r.body.length % 144, 0);
      for (let off = 0; off < r.body.length; off += 144) {
        assert.strictEqual(r.body[off], 0xff);
        assert.strictEqual(r.body[off + 1], 0xfb); // MPEG-1, Layer III, no CRC
        assert.strictEqual(r.body[off + 2], 0x18); // 32 kbit/s, 32 kHz
        assert.strictEqual(r.body[off + 3] >> 6, 3); // mono
      }
      // ringing 5.2 s + talk 12.48 s at 36 ms a frame
      assert.strictEqual(r.body.length / 144, Math.ceil(5200 / 36) + Math.ceil(12480 / 36));
      const inline = await get(s, token, REC_STREAM(SAMPLE_RECORDING_ID), { isDownload: '0', isWav: '0' });
      assert.match(inline.headers.get('content-disposition'), /^inline; /);
      assert.strictEqual(inline.body.length, Math.ceil(12480 / 36) * 144);
    });

    it('streams WAV as RIFF PCM 16-bit, two channels with different tones', async function () {
      const r = await get(s, token, REC_STREAM(SAMPLE_RECORDING_ID), { isDownload: '1', isWav: '1' });
      assert.strictEqual(r.status, 200);
      assert.strictEqual(r.headers.get('content-type'), 'audio/wav');
      const b = r.body;
      assert.strictEqual(b.toString('latin1', 0, 4), 'RIFF');
      assert.strictEqual(b.readUInt32LE(4), b.length - 8);
      assert.strictEqual(b.toString('latin1', 8, 16), 'WAVEfmt ');
      assert.strictEqual(b.readUInt16LE(20), 1, 'PCM');
      assert.strictEqual(b.readUInt16LE(22), 2, 'two channels');
      assert.strictEqual(b.readUInt32LE(24), 8000);
      assert.strictEqual(b.readUInt16LE(34), 16);
      assert.strictEqual(b.toString('latin1', 36, 40), 'data');
      assert.strictEqual(b.readUInt32LE(40), b.length - 44);
      assert.strictEqual((b.length - 44) / 4, 12.48 * 8000);
      let differ = 0;
      for (let i = 44; i < 44 + 4 * 800; i += 4) if (b.readInt16LE(i) !== b.readInt16LE(i + 2)) differ++;
      assert.ok(differ > 700, 'left and right tracks differ');
    });

    it('is deterministic for an id', async function () {
      const a = await get(s, token, CALL_STREAM(SAMPLE_CALL_ID), { isDownload: '0', isWav: '1' });
      const b = await get(s, token, CALL_STREAM(SAMPLE_CALL_ID), { isDownload: '0', isWav: '1' });
      assert.ok(a.body.equals(b.body));
    });

    it('validates isDownload and isWav (both required)', async function () {
      assertError(assert, await get(s, token, CALL_STREAM(SAMPLE_CALL_ID), { isDownload: '1' }), 400, 400);
      assertError(assert, await get(s, token, CALL_STREAM(SAMPLE_CALL_ID), { isWav: '0' }), 400, 400);
      assertError(assert, await get(s, token, CALL_STREAM(SAMPLE_CALL_ID), { isDownload: '3', isWav: '0' }), 400, 400);
      assertError(assert, await get(s, token, REC_STREAM(SAMPLE_RECORDING_ID), { isDownload: '0', isWav: 'true' }), 400, 400);
    });

    it('answers 14013 as JSON for unknown recordings, calls without audio and WAV older than wavDays', async function () {
      const r = await get(s, token, REC_STREAM(UNKNOWN_CALL_ID), { isDownload: '1', isWav: '0' });
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assertError(assert, r, 400, 14013);
      assertError(assert, await get(s, token, CALL_STREAM(NO_RECORDING_CALL_ID), { isDownload: '1', isWav: '0' }), 400, 14013);
      assertError(assert, await get(s, token, REC_STREAM(OLD_RECORDING_ID), { isDownload: '1', isWav: '1' }), 400, 14013);
      assert.strictEqual((await get(s, token, REC_STREAM(OLD_RECORDING_ID), { isDownload: '1', isWav: '0' })).status, 200);
    });

    it('redirects with isDownload=2 to a signed file URL served without token', async function () {
      const r = await get(s, token, CALL_STREAM(SAMPLE_CALL_ID), { isDownload: '2', isWav: '0' });
      assert.strictEqual(r.status, 302);
      const location = r.headers.get('location');
      assert.ok(location.startsWith(`${s.url}/files/calls/${SAMPLE_CALL_ID}.mp3?`), location);
      const file = await read(await fetch(location));
      assert.strictEqual(file.status, 200);
      assert.strictEqual(file.headers.get('content-type'), 'audio/mpeg');
      assert.strictEqual(file.body[0], 0xff);
      const tampered = await read(await fetch(location.replace(/sig=[0-9a-f]/, 'sig=z')));
      assertError(assert, tampered, 403, 403);
      const wav = await get(s, token, REC_STREAM(SAMPLE_RECORDING_ID), { isDownload: '2', isWav: '1' });
      assert.match(wav.headers.get('location'), /\/files\/recordings\/31a3f631-[^?]+\.wav\?exp=\d+&sig=[0-9a-f]{32}$/);
    });

    it('streams a large registered recording in chunks with an exact Content-Length', async function () {
      const rec = s.addRecording({ id: 'bench-rec-1', callId: 'bench-call-1', bytes: 5 * 1024 * 1024 + 100, format: 'mp3' });
      assert.strictEqual(rec.id, 'bench-rec-1');
      const res = await fetch(`${s.url}${REC_STREAM('bench-rec-1')}?isDownload=1&isWav=0`, { headers: { wellcloud_token: token } });
      const length = Number(res.headers.get('content-length'));
      assert.strictEqual(length, Math.floor((5 * 1024 * 1024 + 100) / 144) * 144);
      let got = 0;
      let chunks = 0;
      for await (const chunk of res.body) {
        got += chunk.length;
        chunks++;
      }
      assert.strictEqual(got, length);
      assert.ok(chunks > 10, 'streamed in chunks');
      const list = await get(s, token, REC_LIST('bench-call-1'));
      assert.deepStrictEqual(list.body.map((x) => x.id), ['bench-rec-1']);
    });
  });

  describe('call detail records', function () {
    it('returns one call with the guide §4.4 fields, or 14011', async function () {
      const r = await get(s, token, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`);
      assert.strictEqual(r.status, 200);
      for (const k of ['callId', 'ani', 'dnis', 'callType', 'callTypeName', 'trunkName', 'beginTime', 'customerAnswerTime', 'result', 'resultCode',
        'endTime', 'endType', 'endTypeName', 'domain', 'callLength', 'talkLength', 'timeId', 'displayNumber', 'campaignName', 'satisfaction']) {
        assert.ok(k in r.body, k);
      }
      assert.strictEqual(r.body.callId, SAMPLE_CALL_ID);
      assert.strictEqual(r.body.domain, DEMO_DOMAIN);
      assertError(assert, await get(s, token, `/api/cdr/2.0/calls/open/call/${UNKNOWN_CALL_ID}`), 400, 14011);
    });

    it('answers {total, list} on page 1 only, with the §4.5.2 fields', async function () {
      const p1 = await get(s, token, CALLS, range('2025-03-01 00:00:00', '2025-03-31 23:59:59', { s: '100' }));
      assert.strictEqual(p1.status, 200);
      assert.deepStrictEqual(Object.keys(p1.body), ['total', 'list']);
      assert.ok(p1.body.total >= 31 * 40);
      assert.strictEqual(p1.body.list.length, 100);
      assert.deepStrictEqual(Object.keys(p1.body.list[0]).sort(), [...BOUNDARY_KEYS_4_5_2].sort());
      const noP = await get(s, token, CALLS, range('2025-03-01 00:00:00', '2025-03-31 23:59:59'));
      assert.strictEqual(noP.body.total, p1.body.total);
      assert.strictEqual(noP.body.list.length, 10, 'default page size 10');
      const p2 = await get(s, token, CALLS, range('2025-03-01 00:00:00', '2025-03-31 23:59:59', { s: '100', p: '2' }));
      assert.deepStrictEqual(Object.keys(p2.body), ['list']);
      const last = await get(s, token, CALLS, range('2025-03-01 00:00:00', '2025-03-31 23:59:59', { s: '100', p: '999' }));
      assert.deepStrictEqual(last.body, { list: [] });
    });

    it('orders by beginTime then callId, ascending or descending, across pages without repeats', async function () {
      const q = range('2025-04-10 00:00:00', '2025-04-12 23:59:59', { s: '50' });
      const pages = [];
      for (let p = 1; ; p++) {
        const r = await get(s, token, CALLS, { ...q, p: String(p) });
        if (r.body.list.length === 0) break;
        pages.push(...r.body.list);
      }
      assert.strictEqual(pages.length, 120);
      assert.strictEqual(new Set(pages.map((c) => c.callId)).size, 120);
      for (let i = 1; i < pages.length; i++) {
        const a = pages[i - 1];
        const b = pages[i];
        assert.ok(a.beginTime < b.beginTime || (a.beginTime === b.beginTime && a.callId < b.callId), `${i}`);
      }
      const desc = await get(s, token, CALLS, { ...q, isOrder: '0', s: '100', p: '2' });
      assert.deepStrictEqual(desc.body.list.map((c) => c.callId), pages.slice(0, 20).reverse().map((c) => c.callId));
    });

    it('includes both ends; seeded calls sit exactly on month boundaries', async function () {
      const first = await get(s, token, CALLS, range('2025-02-01 00:00:00', '2025-02-01 00:00:00'));
      assert.strictEqual(first.body.total, 1);
      assert.strictEqual(first.body.list[0].beginTime, '2025-02-01 00:00:00');
      const lastSecond = await get(s, token, CALLS, range('2025-01-31 23:59:59', '2025-01-31 23:59:59'));
      assert.strictEqual(lastSecond.body.total, 1);
      assert.strictEqual(lastSecond.body.list[0].beginTime, '2025-01-31 23:59:59');
    });

    it('filters by ani and dnis exactly', async function () {
      const all = await get(s, token, CALLS, range('2025-05-01 00:00:00', '2025-05-02 23:59:59', { s: '100' }));
      const one = all.body.list.find((c) => /^1\d{10}$/.test(c.ani));
      const byAni = await get(s, token, CALLS, range('2025-05-01 00:00:00', '2025-05-02 23:59:59', { s: '100', ani: one.ani }));
      assert.ok(byAni.body.total >= 1);
      assert.ok(byAni.body.list.every((c) => c.ani === one.ani));
      const partial = await get(s, token, CALLS, range('2025-05-01 00:00:00', '2025-05-02 23:59:59', { ani: one.ani.slice(0, 5) }));
      assert.strictEqual(partial.body.total, 0);
      const byDnis = await get(s, token, CALLS, range('2025-05-01 00:00:00', '2025-05-02 23:59:59', { dnis: '4008100001', s: '100' }));
      assert.ok(byDnis.body.list.length > 0 && byDnis.body.list.every((c) => c.dnis === '4008100001'));
    });

    it('answers 400 for bad formats, a missing parameter, a bad page size or a foreign domain', async function () {
      const ok = range('2025-03-01 00:00:00', '2025-03-02 00:00:00');
      assertError(assert, await get(s, token, CALLS, { ...ok, beginTime: '2025-3-1 00:00:00' }), 400, 400);
      assertError(assert, await get(s, token, CALLS, { ...ok, endTime: '2025-03-02T00:00:00' }), 400, 400);
      assertError(assert, await get(s, token, CALLS, { ...ok, endTime: '2025-02-30 00:00:00' }), 400, 400);
      const { isOrder, ...noOrder } = ok;
      void isOrder;
      assert.match(assertError(assert, await get(s, token, CALLS, noOrder), 400, 400).errorMessage, /isOrder/);
      assertError(assert, await get(s, token, CALLS, { ...ok, isOrder: '2' }), 400, 400);
      assert.match(assertError(assert, await get(s, token, CALLS, { ...ok, s: '101' }), 400, 400).errorMessage, /\bs\b/);
      assertError(assert, await get(s, token, CALLS, { ...ok, s: '0' }), 400, 400);
      assertError(assert, await get(s, token, CALLS, { ...ok, p: '0' }), 400, 400);
      assert.match(assertError(assert, await get(s, token, CALLS, { ...ok, domain: 'other.cc' }), 400, 400).errorMessage, /domain/);
      assert.strictEqual((await get(s, token, CALLS, { ...ok, s: '100' })).status, 200);
    });

    it('answers 14004, then 14001, then 14015 naming the split point', async function () {
      assertError(assert, await get(s, token, CALLS, range('2025-03-02 00:00:00', '2025-03-01 23:59:59')), 400, 14004);
      // crosses a month too, but the span is checked first
      assertError(assert, await get(s, token, CALLS, range('2025-03-01 00:00:00', '2025-04-01 00:00:01')), 400, 14001);
      const e = assertError(assert, await get(s, token, CALLS, range('2025-01-15 00:00:00', '2025-02-03 00:00:00')), 400, 14015);
      assert.strictEqual(e.errorMessage, '不得跨库查询，必须分成两部分查询，请以2025-02-01 00:00:00时间点分为两次查询');
      const edge = assertError(assert, await get(s, token, CALLS, range('2025-01-31 23:59:59', '2025-02-01 00:00:00')), 400, 14015);
      assert.match(edge.errorMessage, /2025-02-01 00:00:00/);
      // a whole month is fine: 31 days minus a second
      assert.strictEqual((await get(s, token, CALLS, range('2025-01-01 00:00:00', '2025-01-31 23:59:59'))).status, 200);
    });

    it('reads and writes years before 1000 as the platform does (four digits, not 19xx)', async function () {
      // "0050" was read as 1950 (Date.UTC) and the split point written "500-02-01 00:00:00"
      for (const [begin, end, point] of [
        ['0500-01-31 20:00:00', '0500-02-01 04:00:00', '0500-02-01 00:00:00'],
        ['0050-01-31 20:00:00', '0050-02-01 04:00:00', '0050-02-01 00:00:00'],
        ['0004-02-28 20:00:00', '0004-03-01 04:00:00', '0004-03-01 00:00:00'],
      ]) {
        const e = assertError(assert, await get(s, token, CALLS, range(begin, end)), 400, 14015);
        assert.ok(e.errorMessage.endsWith(`请以${point}时间点分为两次查询`), e.errorMessage);
      }
      // February 29 of the year 0 (a leap year, unlike 1900)
      assert.strictEqual((await get(s, token, CALLS, range('0000-02-29 00:00:00', '0000-02-29 01:00:00'))).status, 200);
    });

    it('honours maxSpanMs and partition options', async function () {
      const day = await startSandbox({ partition: 'day', maxSpanMs: 2 * 86400000, callsPerDay: 2 });
      try {
        const t = await applyToken(day);
        const e = assertError(assert, await get(day, t, CALLS, range('2025-03-01 12:00:00', '2025-03-02 12:00:00')), 400, 14015);
        assert.match(e.errorMessage, /2025-03-02 00:00:00/);
        assertError(assert, await get(day, t, CALLS, range('2025-03-01 00:00:00', '2025-03-03 00:00:01')), 400, 14001);
      } finally {
        await day.close();
      }
    });
  });

  describe('robot calls', function () {
    const robot = (extra = {}) => ({
      campaignId: DEMO_CAMPAIGN_ID, beginTime: '2025-03-01 00:00:00', endTime: '2025-03-31 23:59:59', isOrder: '1', isDownload: '0', domain: DEMO_DOMAIN, ...extra,
    });

    it('answers the §4.6.2 records of the campaign, total on page 1', async function () {
      const r = await get(s, token, ROBOT, robot({ s: '100' }));
      assert.strictEqual(r.status, 200);
      assert.ok(r.body.total > 50, String(r.body.total));
      for (const rec of r.body.list) {
        assert.deepStrictEqual(Object.keys(rec).sort(), [...ROBOT_KEYS].sort());
        assert.strictEqual(rec.campaignId, DEMO_CAMPAIGN_ID);
        assert.strictEqual(rec.callTypeName, '机器人外呼');
      }
      const p2 = await get(s, token, ROBOT, robot({ s: '100', p: '2' }));
      assert.strictEqual(p2.body.total, undefined);
      const noCount = await get(s, token, ROBOT, robot({ isCount: 'false' }));
      assert.deepStrictEqual(Object.keys(noCount.body), ['list']);
      assertError(assert, await get(s, token, ROBOT, robot({ isCount: 'yes' })), 400, 400);
    });

    it('filters by uuiKey / uuiValue (contains), batchId and resultCode', async function () {
      const y = s.calls.get(SAMPLE_ROBOT_CALL_ID).beginTime.slice(0, 10);
      const day = robot({ beginTime: `${y} 00:00:00`, endTime: `${y} 23:59:59`, s: '100' });
      const f = await get(s, token, ROBOT, { ...day, uuiKey: 'currentCallLevel', uuiValue: 'F' });
      assert.ok(f.body.list.some((c) => c.callId === SAMPLE_ROBOT_CALL_ID));
      for (const c of f.body.list) assert.strictEqual(s.calls.get(c.callId).uui.currentCallLevel, 'F');
      const fuzzy = await get(s, token, ROBOT, { ...day, uuiKey: 'intentTag', uuiValue: '意向' });
      assert.ok(fuzzy.body.list.some((c) => c.callId === SAMPLE_ROBOT_CALL_ID));
      const none = await get(s, token, ROBOT, { ...day, uuiKey: 'currentCallLevel', uuiValue: 'Z' });
      assert.strictEqual(none.body.total, 0);
      const sample = s.calls.get(SAMPLE_ROBOT_CALL_ID).robot;
      const byBatch = await get(s, token, ROBOT, { ...day, batchId: sample.batchId });
      assert.deepStrictEqual(byBatch.body.list.map((c) => c.callId), [SAMPLE_ROBOT_CALL_ID]);
      const failed = await get(s, token, ROBOT, robot({ resultCode: '1', s: '100' }));
      assert.ok(failed.body.list.every((c) => c.result === '用户忙'));
    });

    it('requires campaignId, isDownload and the range rules; isDownload=1 is not supported', async function () {
      const { campaignId, ...noCampaign } = robot();
      void campaignId;
      assert.match(assertError(assert, await get(s, token, ROBOT, noCampaign), 400, 400).errorMessage, /campaignId/);
      const { isDownload, ...noDownload } = robot();
      void isDownload;
      assertError(assert, await get(s, token, ROBOT, noDownload), 400, 400);
      assertError(assert, await get(s, token, ROBOT, robot({ isDownload: '1' })), 400, 400);
      assertError(assert, await get(s, token, ROBOT, robot({ endTime: '2025-02-28 00:00:00' })), 400, 14004);
      assertError(assert, await get(s, token, ROBOT, robot({ endTime: '2025-04-30 00:00:00' })), 400, 14001);
      assertError(assert, await get(s, token, ROBOT, robot({ endTime: '2025-04-01 00:00:00' })), 400, 14015);
    });
  });

  describe('seeded data', function () {
    it('is the same for the same seed and differs for another seed', async function () {
      const a = await startSandbox({ seed: 7, callsPerDay: 10 });
      const b = await startSandbox({ seed: 7, callsPerDay: 10 });
      const c = await startSandbox({ seed: 8, callsPerDay: 10 });
      try {
        const q = range('2026-06-01 00:00:00', '2026-06-03 23:59:59', { s: '100' });
        const [ra, rb, rc] = await Promise.all([a, b, c].map(async (x) => (await get(x, await applyToken(x), CALLS, q)).body));
        assert.strictEqual(ra.total, 3 * 10 + (ra.list.some((x) => x.callId === SAMPLE_CALL_ID) ? 3 : 0));
        assert.deepStrictEqual(ra, rb);
        assert.notDeepStrictEqual(ra.list.map((x) => x.callId), rc.list.map((x) => x.callId));
        const id = ra.list[5].callId;
        assert.deepStrictEqual(a.calls.get(id), b.calls.get(id));
        assert.strictEqual(c.calls.get(id), undefined);
      } finally {
        await Promise.all([a.close(), b.close(), c.close()]);
      }
    });

    it('gives every call a recording except about 2 %', function () {
      const calls = s.calls.range('2025-06-01 00:00:00', '2025-06-30 23:59:59');
      const without = calls.filter((c) => c.recordings.length === 0).length;
      assert.ok(without > 0 && without < calls.length * 0.05, `${without}/${calls.length}`);
    });

    it('adds calls for tests, found by id and by range', async function () {
      const added = s.addCall({ callId: 'test-call-1', beginTime: '2025-02-01 00:00:00', talkLength: 42 });
      assert.strictEqual(added.detail.talkLength, 42);
      assert.strictEqual((await get(s, token, `/api/cdr/2.0/calls/open/call/test-call-1`)).body.beginTime, '2025-02-01 00:00:00');
      const r = await get(s, token, CALLS, range('2025-02-01 00:00:00', '2025-02-01 00:00:00'));
      assert.strictEqual(r.body.total, 2);
      assert.ok(s.calls.added().some((c) => c.callId === 'test-call-1'));
    });
  });

  describe('seeded ids', function () {
    // the store itself (lib/sandbox/data): its id index, without an HTTP round trip per id
    const { CallStore } = require('../../dist/lib/sandbox/data');
    const { parseChinaDateOrTime } = require('../../dist/lib/sandbox/time');
    const day = (text, end = false) => parseChinaDateOrTime(text, end);
    const store = (seed, callsPerDay, from, to) =>
      new CallStore({ seed, callsPerDay, fromMs: day(from), toMs: day(to, true), domain: DEMO_DOMAIN, fixtureDayMs: day('2020-01-01') });

    it('finds every seeded call and recording by its id, and nothing for an id it did not make', function () {
      const st = store(1, 40, '2025-01-01', '2027-12-31');
      const month = st.range(day('2027-05-01'), day('2027-05-31', true));
      assert.strictEqual(month.length, 31 * 40);
      for (const call of month) {
        assert.strictEqual(st.get(call.callId), call, call.callId);
        for (const rec of call.recordings) assert.deepStrictEqual(st.recording(rec.json.id), { call, rec }, rec.json.id);
      }
      const [call] = month;
      const rec = month.find((c) => c.recordings.length > 0).recordings[0].json.id;
      // same first 8 hex digits, another id; the id in capitals; no UUID at all
      for (const id of [`${call.callId.slice(0, 9)}0000-4000-8000-000000000000`, call.callId.toUpperCase(), call.callId.slice(0, 8), 'not-an-id', '']) {
        assert.strictEqual(st.get(id), undefined, id);
      }
      for (const id of [`${rec.slice(0, 9)}0000-4000-8000-000000000000`, rec.toUpperCase()]) assert.strictEqual(st.recording(id), undefined, id);
      assert.strictEqual(st.get(UNKNOWN_CALL_ID), undefined);
    });

    it('tells apart seeded ids that share their first 8 hex digits; an id drawn twice belongs to its later call, as it always did', function () {
      // seed 1, 4000 calls a day from 2025-03-01 to 2025-03-25 (the benchmark's data): 100,000 calls
      const st = store(1, 4000, '2025-03-01', '2025-03-25');
      const calls = [['5fa9ca5d-9b10-4e70-98f9-96ce11d99650', '2025-03-02 19:52:13'], ['5fa9ca5d-c925-469b-b59f-db22fbfb92c7', '2025-03-20 15:32:16']];
      for (const [id, beginTime] of calls) assert.strictEqual(st.get(id).detail.beginTime, beginTime, id);
      const recs = [
        ['ea9afe13-add1-4a39-ba52-babc6d519563', '8e78c5cd-8388-4240-accd-d1392ec70755'],
        ['ea9afe13-988f-4188-aed2-76b16b02b8ac', 'e98a1030-abcc-400a-abda-a45866085fb2'],
        // drawn for two calls (2025-03-19 and 2025-03-22)
        ['9d7c07bd-c9b7-4714-ad5e-65b694535645', '9e224b0a-e81e-41a8-8ea0-f89e90f429ec'],
      ];
      for (const [id, callId] of recs) assert.strictEqual(st.recording(id).call.callId, callId, id);
      assert.ok(st.get('634f9449-cab9-4530-83b7-eae5c5e0c389').recordings.some((r) => r.json.id === recs[2][0]), 'the earlier call holds the id too');
    });
  });
});

describe('sandbox: outbound, roster upload and controls', function () {
  this.timeout(15000);
  let s;
  let token;
  const DUAL = '/api/ext/v2/calls/uc';
  const INSTANT = '/api/ocm/instant/smart';
  const instantBody = (extra = {}) => ({
    activityId: DEMO_CAMPAIGN_ID, callee: '13912345678', caller: '8002', data: { orderNo: 'A1' }, domain: DEMO_DOMAIN, rosterId: 'r-1', tenantId: DEMO_TENANT_ID, ...extra,
  });
  const dualBody = (extra = {}) => ({ deviceId: `8001@${DEMO_DOMAIN}`, prefix: '9', customerPhone: '13912345678', ...extra });

  before(async function () {
    s = await startSandbox({ callDurationMs: 300, callsPerDay: 4 });
    token = await applyToken(s);
  });
  after(async function () {
    await s.close();
  });

  describe('dual call', function () {
    it('returns a callId, then plays agent states and a callEnd, and stores the CDR and a recording', async function () {
      const states = collect(s.events, 'agentStateEvent', 4, (e) => e.id === '5001');
      const ended = collect(s.events, 'callEnd', 1);
      const r = await postJson(s, token, DUAL, dualBody({ userData: { Id: '142459' }, options: { cpa: 'false', displayOrigin: '4008100001' } }));
      assert.strictEqual(r.status, 200);
      assert.deepStrictEqual(Object.keys(r.body), ['callId']);
      const { callId } = r.body;
      assertError(assert, await get(s, token, `/api/cdr/2.0/calls/open/call/${callId}`), 400, 14011); // not ended yet
      const [end] = await ended;
      const seq = await states;
      assert.deepStrictEqual(seq.map((e) => e.acState), ['ManualRinging', 'ManualTalking', 'Acw', 'Available']);
      assert.deepStrictEqual(seq.map((e) => e.lastACState), ['Available', 'ManualRinging', 'ManualTalking', 'Acw']);
      for (const e of seq) {
        assert.strictEqual(e.eventName, 'agentStateEvent');
        assert.strictEqual(e.eventType, 'agent');
        assert.strictEqual(e.namespace, DEMO_DOMAIN);
        assert.match(e.timestamp, /^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
      }
      assert.strictEqual(seq[0].callId, callId);
      assert.strictEqual(end.eventName, 'callEnd');
      assert.strictEqual(end.callId, callId);
      assert.strictEqual(end.deviceId, `8001@${DEMO_DOMAIN}`);
      assert.strictEqual(end.agentId, `5001@${DEMO_DOMAIN}`);
      assert.strictEqual(end.customerPhone, '13912345678');
      assert.deepStrictEqual(end.userData, { Id: '142459' });
      assert.match(end.timestamp, /^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
      for (const k of ['eventSrc', 'serial', 'eventType', 'namespace', 'instanceId', 'mediaServer', 'cid', 'ani', 'dnis', 'callType', 'startTime', 'answerTime',
        'endTime', 'skillId', 'queueLength', 'talkLength', 'endReason', 'customerRingLength', 'deviceRingLength', 'displayNumber', 'trunkName', 'customerAreaCode',
        'customerCityCode', 'resultCode', 'campaignInfo', 'systemData', 'relatedCalls', 'hangupDevice', 'hangupCause', 'conferenced', 'transferred',
        'firstRoutePoint', 'firstQueue', 'firstIVR', 'firstStation', 'segmentList', 'topics', 'originalCall']) {
        assert.ok(k in end, k);
      }
      const serials = [...seq.slice(0, 3), end].map((e) => e.serial);
      assert.deepStrictEqual([...serials].sort((a, b) => a - b), serials, 'serials increase');
      const cdr = await get(s, token, `/api/cdr/2.0/calls/open/call/${callId}`);
      assert.strictEqual(cdr.status, 200);
      assert.strictEqual(cdr.body.callTypeName, '双呼');
      const recs = await get(s, token, REC_LIST(callId));
      assert.strictEqual(recs.body.length, 1);
      assert.strictEqual((await get(s, token, CALL_STREAM(callId), { isDownload: '0', isWav: '1' })).status, 200);
    });

    it('answers 14001 (deviceId empty), 14002 (customerPhone empty), 14005 (no or foreign domain)', async function () {
      assertError(assert, await postJson(s, token, DUAL, dualBody({ deviceId: '' })), 400, 14001);
      const { deviceId, ...noDevice } = dualBody();
      void deviceId;
      assertError(assert, await postJson(s, token, DUAL, noDevice), 400, 14001);
      assertError(assert, await postJson(s, token, DUAL, dualBody({ customerPhone: '' })), 400, 14002);
      assertError(assert, await postJson(s, token, DUAL, dualBody({ deviceId: '8001' })), 400, 14005);
      assertError(assert, await postJson(s, token, DUAL, dualBody({ deviceId: '8001@elsewhere.cc' })), 400, 14005);
    });

    it('requires prefix (guide §6.1): missing, null, empty or blank answers 400 naming it', async function () {
      const { prefix, ...noPrefix } = dualBody();
      void prefix;
      for (const body of [noPrefix, dualBody({ prefix: null }), dualBody({ prefix: '' }), dualBody({ prefix: ' ' })]) {
        assert.match(assertError(assert, await postJson(s, token, DUAL, body), 400, 400).errorMessage, /prefix不能为空/, JSON.stringify(body));
      }
      assert.match(assertError(assert, await postJson(s, token, DUAL, dualBody({ prefix: '9a' })), 400, 400).errorMessage, /prefix/);
    });

    it('accepts a customerPhone with a leading + and refuses one with letters', async function () {
      const ok = await postJson(s, token, DUAL, dualBody({ customerPhone: '+8613912345678' }));
      assert.strictEqual(ok.status, 200, JSON.stringify(ok.body));
      assert.ok(ok.body.callId);
      assert.match(assertError(assert, await postJson(s, token, DUAL, dualBody({ customerPhone: '139abc' })), 400, 400).errorMessage, /customerPhone/);
    });

    it('checks the types of userData and options, and JSON only', async function () {
      assert.match(assertError(assert, await postJson(s, token, DUAL, dualBody({ userData: 'x' })), 400, 400).errorMessage, /userData/);
      assert.match(assertError(assert, await postJson(s, token, DUAL, dualBody({ options: [] })), 400, 400).errorMessage, /options/);
      assert.match(assertError(assert, await postJson(s, token, DUAL, dualBody({ options: { cpa: true } })), 400, 400).errorMessage, /cpa/);
      assertError(assert, await postJson(s, token, DUAL, '{"deviceId":', {}), 400, 400);
      assertError(assert, await postJson(s, token, DUAL, JSON.stringify(dualBody()), { 'content-type': 'text/plain' }), 415, 415);
    });

    it('can be made to answer 12008 by fault injection', async function () {
      s.failNext({ method: 'POST', path: DUAL }, { status: 400, errorCode: 12008 });
      const e = assertError(assert, await postJson(s, token, DUAL, dualBody()), 400, 12008);
      assert.strictEqual(e.errorMessage, 'cms没有可用的服务实例');
      assert.strictEqual(e.instanceId, 'sandbox-ext');
    });

    it('gives an injected fault to the next request to arrive, not to one still waiting out the latency', async function () {
      s.clearRequests();
      s.setLatency(200);
      try {
        const earlier = postJson(s, token, DUAL, dualBody());
        // the earlier request is in, waiting out its latency, when the fault is set
        const t0 = Date.now();
        while (!s.requests.some((r) => r.path === DUAL) && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 5));
        s.failNext({ method: 'POST', path: DUAL }, { status: 400, errorCode: 12008 });
        const later = postJson(s, token, DUAL, dualBody());
        const [a, b] = await Promise.all([earlier, later]);
        assert.strictEqual(a.status, 200, JSON.stringify(a.body));
        assertError(assert, b, 400, 12008);
      } finally {
        s.setLatency(0);
      }
    });

    it('words an injected 14001/14002/14005 as the dual call means them (guide §6.5), the CDR as it does', async function () {
      const said = {};
      for (const code of [14001, 14002, 14005]) {
        s.failNext({ method: 'POST', path: DUAL }, { status: 400, errorCode: code });
        said[code] = assertError(assert, await postJson(s, token, DUAL, dualBody()), 400, code).errorMessage;
      }
      assert.deepStrictEqual(said, { 14001: 'deviceId为空', 14002: 'dest为空', 14005: 'deviceId不合法' });
      s.failNext({ method: 'GET', path: CALLS }, { status: 400, errorCode: 14002 });
      assert.strictEqual(assertError(assert, await get(s, token, CALLS), 400, 14002).errorMessage, 'GET请求超时');
      s.failNext({ method: 'GET', path: CALLS }, { status: 400, errorCode: 14001 });
      assert.strictEqual(assertError(assert, await get(s, token, CALLS), 400, 14001).errorMessage, '查询时间跨度过大');
    });
  });

  describe('instant outbound', function () {
    it('answers {result, reason} and simulates the call: customer first, then the caller agent', async function () {
      const states = collect(s.events, 'agentStateEvent', 4, (e) => e.id === '5002');
      const ended = collect(s.events, 'callEnd', 1, (e) => e.campaignInfo && e.campaignInfo.rosterId === 'r-9');
      const r = await postJson(s, token, INSTANT, instantBody({ rosterId: 'r-9' }));
      assert.strictEqual(r.status, 200);
      assert.deepStrictEqual(r.body, { result: '0', reason: 'success' });
      const [end] = await ended;
      assert.deepStrictEqual((await states).map((e) => e.acState), ['AgentAutoRinging', 'AgentAutoTalking', 'Acw', 'Available']);
      assert.deepStrictEqual(end.userData, { orderNo: 'A1' });
      assert.strictEqual(end.customerPhone, '13912345678');
      assert.strictEqual(end.campaignInfo.campaignId, DEMO_CAMPAIGN_ID);
      const cdr = s.calls.get(end.callId);
      assert.strictEqual(cdr.detail.customerRosterId, 'r-9');
      assert.strictEqual(cdr.detail.campaignName, '信用卡分期推广');
    });

    it('requires every documented field with its type, naming it', async function () {
      for (const f of ['activityId', 'callee', 'caller', 'data', 'domain', 'rosterId', 'tenantId']) {
        const body = instantBody();
        delete body[f];
        const e = assertError(assert, await postJson(s, token, INSTANT, body), 400, 400);
        assert.ok(e.errorMessage.includes(f), `${f}: ${e.errorMessage}`);
      }
      assert.match(assertError(assert, await postJson(s, token, INSTANT, instantBody({ data: 'x' })), 400, 400).errorMessage, /data/);
      assert.match(assertError(assert, await postJson(s, token, INSTANT, instantBody({ rosterId: 15 })), 400, 400).errorMessage, /rosterId/);
      assert.match(assertError(assert, await postJson(s, token, INSTANT, instantBody({ id: 3 })), 400, 400).errorMessage, /\bid\b/);
      assertError(assert, await postJson(s, token, INSTANT, instantBody({ tenantId: 'another' })), 400, 400);
      assertError(assert, await postJson(s, token, INSTANT, instantBody({ activityId: 'f'.repeat(32) })), 404, 404);
      const form = await read(await fetch(`${s.url}${INSTANT}`, { method: 'POST', headers: { wellcloud_token: token }, body: new URLSearchParams({ a: '1' }) }));
      assertError(assert, form, 415, 415);
    });

    it('takes an activity id as activityId, not an activity group id (guide §5.1.1 "活动id"; §5.2.2 templateId takes both)', async function () {
      const group = sb.DEMO_CAMPAIGNS.find((c) => c.id === DEMO_CAMPAIGN_ID).groupId;
      assert.match(assertError(assert, await postJson(s, token, INSTANT, instantBody({ activityId: group })), 404, 404).errorMessage, /活动不存在/);
      const asTemplate = await upload(s, token, { templateId: group }, [{ name: 'file', filename: 'r.txt', content: '1,S,13800000001\n' }]);
      assert.strictEqual(asTemplate.status, 201, JSON.stringify(asTemplate.body));
    });
  });

  describe('roster upload', function () {
    const ROSTER = '1001,loan,13912345678,c-1,name:张三|amount:100\r\n1002,loan,13912345679\n1003,loan,13912345670,,vip:1\n';

    it('answers 201 with the batch, records the parsed rows, and never de-duplicates', async function () {
      const r = await upload(s, token, { alias: '2025-03-名单', templateId: DEMO_CAMPAIGN_ID }, [{ name: 'file', filename: 'r.csv', content: ROSTER }]);
      assert.strictEqual(r.status, 201);
      assert.deepStrictEqual(Object.keys(r.body), ['data', 'hasData']);
      assert.strictEqual(r.body.hasData, false);
      assert.strictEqual(r.body.data.alias, '2025-03-名单');
      assert.match(r.body.data.batchId, /^[0-9a-f-]{36}$/);
      assert.match(r.body.data.batchName, /^loan-\d{17}$/);
      const u = s.uploads[s.uploads.length - 1];
      assert.strictEqual(u.batchId, r.body.data.batchId);
      assert.strictEqual(u.templateId, DEMO_CAMPAIGN_ID);
      assert.deepStrictEqual(u.rows, [
        { rosterId: '1001', prdType: 'loan', number: '13912345678', customerId: 'c-1', data: { name: '张三', amount: '100' } },
        { rosterId: '1002', prdType: 'loan', number: '13912345679', customerId: null, data: null },
        { rosterId: '1003', prdType: 'loan', number: '13912345670', customerId: null, data: { vip: '1' } },
      ]);
      const again = await upload(s, token, {}, [{ name: 'file', filename: 'r.csv', content: ROSTER }]);
      assert.strictEqual(again.status, 201);
      assert.strictEqual(again.body.data.alias, null);
      assert.notStrictEqual(again.body.data.batchId, r.body.data.batchId);
    });

    it('keeps a data key named __proto__ or constructor as an ordinary key, as the platform does', async function () {
      // it was assigned with data[key] = value: "__proto__" was lost (a string cannot be a prototype)
      const r = await upload(s, token, {}, [{ name: 'file', filename: 'r.csv', content: '1,S,13900000001,c,__proto__:p|constructor:c|k:v\n' }]);
      assert.strictEqual(r.status, 201);
      const { data } = s.uploads[s.uploads.length - 1].rows[0];
      assert.deepStrictEqual(Object.entries(data), [['__proto__', 'p'], ['constructor', 'c'], ['k', 'v']]);
      assert.strictEqual(Object.getPrototypeOf(data), Object.prototype);
    });

    it('reads only the first part named file', async function () {
      const r = await upload(s, token, {}, [
        { name: 'meta', content: 'not,a,roster,line,at:all,extra' },
        { name: 'file', filename: 'first.txt', content: '1,S,13800000001\n' },
        { name: 'file', filename: 'second.txt', content: 'broken' },
      ]);
      assert.strictEqual(r.status, 201, JSON.stringify(r.body));
      const u = s.uploads[s.uploads.length - 1];
      assert.strictEqual(u.filename, 'first.txt');
      assert.deepStrictEqual(u.rows.map((x) => x.number), ['13800000001']);
      const noFile = await upload(s, token, {}, [{ name: 'roster', filename: 'r.txt', content: '1,S,13800000001\n' }]);
      assert.match(assertError(assert, noFile, 400, 400).errorMessage, /file/);
    });

    it('takes a part named file only when it is a file (has a filename), as the guide types it', async function () {
      const field = await upload(s, token, {}, [{ name: 'file', content: '1,S,13800000001\n' }]);
      assert.match(assertError(assert, field, 400, 400).errorMessage, /file不能为空/);
      const r = await upload(s, token, {}, [
        { name: 'file', content: 'broken' },
        { name: 'file', filename: 'real.txt', content: '1,S,13800000002\n' },
      ]);
      assert.strictEqual(r.status, 201, JSON.stringify(r.body));
      const u = s.uploads[s.uploads.length - 1];
      assert.strictEqual(u.filename, 'real.txt');
      assert.deepStrictEqual(u.rows.map((x) => x.number), ['13800000002']);
    });

    it('refuses a bad line naming it, an empty file, a non-UTF-8 file', async function () {
      const cases = [
        ['1,S,13800000001\n2,S\n', /第2行/],
        ['1,S,13800000001\n2,S,13800000002,c,name=x\n', /第2行.*key:value/],
        ['1,S,13800000001\n2,S,13800000002,c,a:b|\n', /第2行/],
        ['1,,13800000001\n', /第1行.*prdType/],
        ['1,S,abc\n', /第1行.*number/],
        ['1,S,13800000001,c,a:1,extra\n', /第1行/],
        ['1,S,13800000001\n\n2,S,13800000002\n', /第2行/],
      ];
      for (const [content, re] of cases) {
        const r = await upload(s, token, {}, [{ name: 'file', filename: 'r.txt', content }]);
        assert.match(assertError(assert, r, 400, 400).errorMessage, re, content);
      }
      assertError(assert, await upload(s, token, {}, [{ name: 'file', filename: 'r.txt', content: '' }]), 400, 400);
      const gbk = Buffer.from([0x31, 0x2c, 0x53, 0x2c, 0x31, 0x33, 0x38, 0x30, 0x30, 0x2c, 0x2c, 0xd5, 0xc5, 0x3a, 0x31, 0x0a]);
      assert.match(assertError(assert, await upload(s, token, {}, [{ name: 'file', filename: 'r.txt', content: gbk }]), 400, 400).errorMessage, /UTF-8/);
    });

    it('refuses a file over 10 MB and keeps nothing', async function () {
      const count = s.uploads.length;
      // 10 MB read strictly: 10,000,000 bytes (a 10 MiB file is refused too)
      const big = Buffer.alloc(10_000_001, 0x31);
      const r = await upload(s, token, {}, [{ name: 'file', filename: 'big.txt', content: big }]);
      assert.match(assertError(assert, r, 400, 400).errorMessage, /10MB/);
      assert.strictEqual(s.uploads.length, count);
      const logged = s.requests.filter((x) => x.path === '/api/ros/2.0/batches').pop();
      assert.strictEqual(logged.status, 400);
      assert.strictEqual(logged.body.text, undefined);
    });

    it('accepts a file of exactly maxUploadBytes', async function () {
      const small = await startSandbox({ maxUploadBytes: 32, callsPerDay: 0 });
      try {
        const t = await applyToken(small);
        const exact = '1,S,13800000001\n2,S,13800000002\n'; // 32 bytes
        assert.strictEqual(Buffer.byteLength(exact), 32);
        assert.strictEqual((await upload(small, t, {}, [{ name: 'file', filename: 'r.txt', content: exact }])).status, 201);
        const over = await upload(small, t, {}, [{ name: 'file', filename: 'r.txt', content: `${exact}3` }]);
        assert.match(assertError(assert, over, 400, 400).errorMessage, /32字节/);
      } finally {
        await small.close();
      }
    });

    it('drops its cut-off timer for an oversized upload when the sender goes away', async function () {
      const small = await startSandbox({ maxUploadBytes: 32, callsPerDay: 0 });
      try {
        const t = await applyToken(small);
        const req = require('http').request(`${small.url}/api/ros/2.0/batches`, {
          method: 'POST',
          headers: { wellcloud_token: t, 'content-type': 'multipart/form-data; boundary=XX' },
        });
        req.on('error', () => undefined);
        // over the limit, and the body never ends: the sandbox answers 400 and waits for the rest
        req.write('--XX\r\nContent-Disposition: form-data; name="file"; filename="r.txt"\r\n\r\n' + '1,S,13800000001\n'.repeat(8));
        const res = await new Promise((resolve) => req.on('response', resolve));
        assert.strictEqual(res.statusCode, 400);
        assert.strictEqual(small.timers.size, 1, 'the late sender would be cut off after a grace time');
        req.destroy();
        // the grace time is 5 s: still pending after 1 s means it outlived its request
        for (let i = 0; i < 100 && small.timers.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.strictEqual(small.timers.size, 0);
      } finally {
        await small.close();
      }
    });

    it('answers 415 for another content type and 404 for an unknown templateId', async function () {
      const json = await postJson(s, token, '/api/ros/2.0/batches', { file: '1,S,13800000001' });
      assertError(assert, json, 415, 415);
      const unknown = await upload(s, token, { templateId: 'f'.repeat(32) }, [{ name: 'file', filename: 'r.txt', content: '1,S,13800000001\n' }]);
      assertError(assert, unknown, 404, 404);
    });

    it('logs the multipart body as {filename, size, text}', async function () {
      s.clearRequests();
      await upload(s, token, {}, [{ name: 'file', filename: 'log.txt', content: '1,S,13800000001\n' }]);
      assert.deepStrictEqual(s.requests[0].body, { filename: 'log.txt', size: 16, text: '1,S,13800000001\n' });
    });
  });

  describe('fault injection and the request log', function () {
    afterEach(() => s.clearFaults());

    it('fails the next matching requests, then answers normally', async function () {
      const path = `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`;
      s.failNext({ method: 'GET', path }, { status: 503, times: 2, retryAfter: 1 });
      const a = await get(s, token, path);
      assertError(assert, a, 503, 503);
      assert.strictEqual(a.headers.get('retry-after'), '1');
      assertError(assert, await get(s, token, path), 503, 503);
      assert.strictEqual((await get(s, token, path)).status, 200);
    });

    it('matches a RegExp path, sends a custom body, delays, or destroys the socket', async function () {
      s.failNext({ path: /^\/api\/cdr\// }, { status: 500, body: { oops: true } });
      const r = await get(s, token, CALLS, range('2025-03-01 00:00:00', '2025-03-01 01:00:00'));
      assert.strictEqual(r.status, 500);
      assert.deepStrictEqual(r.body, { oops: true });
      s.failNext({ path: CALLS }, { status: 200, delayMs: 150, body: { total: 0, list: [] } });
      const t0 = Date.now();
      assert.deepStrictEqual((await get(s, token, CALLS)).body, { total: 0, list: [] });
      assert.ok(Date.now() - t0 >= 140);
      s.failNext({ path: CALLS }, { status: 0, destroySocket: true });
      await assert.rejects(get(s, token, CALLS, range('2025-03-01 00:00:00', '2025-03-01 01:00:00')));
      assert.strictEqual(s.requests[s.requests.length - 1].status, 0);
    });

    it('logs method, path, query, lower-case headers with the token, parsed body and status', async function () {
      s.clearRequests();
      await postJson(s, token, DUAL, dualBody({ deviceId: '' }));
      assert.strictEqual(s.requests.length, 1);
      const r = s.requests[0];
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.path, DUAL);
      assert.deepStrictEqual(r.query, {});
      assert.strictEqual(r.headers.wellcloud_token, token);
      assert.deepStrictEqual(r.body, dualBody({ deviceId: '' }));
      assert.strictEqual(r.status, 400);
    });

    it('adds latency to every answer', async function () {
      s.setLatency(120);
      try {
        const t0 = Date.now();
        await get(s, token, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`);
        assert.ok(Date.now() - t0 >= 110);
      } finally {
        s.setLatency(0);
      }
    });
  });

  describe('HTTP controls (/__sandbox)', function () {
    const control = async (method, path, body) => read(await fetch(`${s.url}/__sandbox/${path}`, {
      method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }));

    it('injects faults, lists requests and uploads, expires tokens', async function () {
      const path = `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`;
      assert.strictEqual((await control('POST', 'faults', { match: { method: 'GET', pathPattern: '^/api/cdr/2\\.0/calls/open/call/' }, fault: { status: 400, errorCode: 14002 } })).status, 201);
      assertError(assert, await get(s, token, path), 400, 14002);
      await control('POST', 'faults', { match: { path }, fault: { status: 502 } });
      await control('DELETE', 'faults');
      assert.strictEqual((await get(s, token, path)).status, 200);
      const reqs = await control('GET', 'requests');
      assert.ok(reqs.body.some((x) => x.path === path && x.status === 200));
      const ups = await control('GET', 'uploads?rows=0');
      assert.ok(Array.isArray(ups.body) && ups.body.every((u) => typeof u.rowCount === 'number' && !('rows' in u)));
      const t = await applyToken(s);
      assert.strictEqual((await control('POST', 'expire-tokens')).status, 200);
      assertError(assert, await get(s, t, path), 401, 401);
      token = await applyToken(s);
    });

    it('sets latency and the subscriber, and registers recordings', async function () {
      assert.deepStrictEqual((await control('POST', 'latency', { ms: 5 })).body, { latencyMs: 5 });
      await control('POST', 'latency', { ms: 0 });
      const changed = new Promise((resolve) => s.events.once('subscriber', resolve));
      const sub = await control('POST', 'subscriber', { url: 'http://127.0.0.1:1/hook' });
      assert.deepStrictEqual(sub.body, { subscriberUrl: 'http://127.0.0.1:1/hook' });
      assert.strictEqual(await changed, 'http://127.0.0.1:1/hook');
      assert.strictEqual(s.options.subscriberUrl, 'http://127.0.0.1:1/hook');
      assertError(assert, await control('POST', 'subscriber', { url: 'ftp://x' }), 400, 400);
      const rec = await control('POST', 'recordings', { id: 'ctl-rec', bytes: 44 + 8000 * 4, format: 'wav' });
      assert.strictEqual(rec.status, 201);
      const audio = await get(s, token, REC_STREAM('ctl-rec'), { isDownload: '1', isWav: '1' });
      assert.strictEqual(audio.body.length, 44 + 8000 * 4);
      assert.strictEqual(rec.body.recordLength, 1);
      assertError(assert, await control('GET', 'nothing'), 404, 404);
    });

    it('adds a call the API then serves (POST /__sandbox/calls), clears the log, and reports its state without the credentials', async function () {
      const added = await control('POST', 'calls', { callId: 'ctl-call-1', beginTime: '2025-06-03 10:00:00', talkLength: 0, ani: '13900000009', recordings: 0, fields: { satisfaction: '5' } });
      assert.strictEqual(added.status, 201, JSON.stringify(added.body));
      assert.strictEqual(added.body.callId, 'ctl-call-1');
      const detail = await get(s, token, `/api/cdr/2.0/calls/open/call/ctl-call-1`);
      assert.strictEqual(detail.status, 200);
      assert.strictEqual(detail.body.ani, '13900000009');
      assert.strictEqual(detail.body.satisfaction, '5');
      assert.strictEqual(detail.body.talkLength, 0);
      assert.notStrictEqual(detail.body.resultCode, 0, 'a call nobody answered has no success result');
      assertError(assert, await control('POST', 'calls', { beginTime: 'yesterday' }), 400, 400);
      assert.ok(s.requests.length > 0);
      assert.deepStrictEqual((await control('DELETE', 'requests')).body, { ok: true });
      assert.deepStrictEqual(s.requests, []);
      const state = await control('GET', 'state');
      assert.strictEqual(state.status, 200);
      assert.strictEqual(state.body.url, s.url);
      assert.strictEqual(state.body.requests, 0);
      assert.strictEqual(state.body.tokenApplications, s.tokenApplications);
      assert.ok(!('credentials' in state.body.options));
      for (const secret of [DEMO_CREDENTIALS.appSecret, DEMO_CREDENTIALS.apiKey, token]) assert.ok(!JSON.stringify(state.body).includes(secret));
    });

    it('refuses bad control input with 400 saying what is wrong, a body that is not JSON, and one over 1 MB with 413', async function () {
      const bad = [
        ['faults', { match: { pathPattern: '([' }, fault: { status: 503 } }, /pathPattern is not a valid regular expression/],
        ['faults', { match: { path: '/x' }, fault: 'boom' }, /fault must be an object/],
        ['faults', { match: { path: '/x' }, fault: {} }, /fault.status is required/],
        ['faults', { match: { path: '/x' }, fault: { status: '503' } }, /status must be a number/],
        ['latency', {}, /ms is required/],
        ['recordings', { bytes: 0 }, /bytes must be a positive number/],
        ['recordings', { bytes: 1000, format: 'ogg' }, /format must be 'mp3' or 'wav'/],
      ];
      for (const [path, body, text] of bad) {
        const r = await control('POST', path, body);
        assertError(assert, r, 400, 400);
        assert.match(r.body.errorMessage, text, `${path} ${JSON.stringify(body)}`);
      }
      const notJson = await read(await fetch(`${s.url}/__sandbox/latency`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{ms: 5' }));
      assertError(assert, notJson, 400, 400);
      const big = await read(await fetch(`${s.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) }));
      assertError(assert, big, 413, 413);
      // a socket cut as the fault, without a status
      assert.strictEqual((await control('POST', 'faults', { match: { path: `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}` }, fault: { destroySocket: true } })).status, 201);
      await assert.rejects(get(s, token, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`));
      assert.strictEqual(s.options.latencyMs, 0);
    });
  });
});

describe('sandbox multipart parser', function () {
  const { MultipartParser, boundaryOf } = require('../../dist/lib/sandbox/multipart');

  function parse(body, boundary, chunkSize) {
    const parts = [];
    const p = new MultipartParser(boundary, {
      onPart(info) {
        parts.push({ ...info, data: [] });
        return true;
      },
      onData(chunk) {
        parts[parts.length - 1].data.push(Buffer.from(chunk));
      },
      onPartEnd() {},
    });
    for (let i = 0; i < body.length; i += chunkSize) p.write(body.subarray(i, i + chunkSize));
    p.end();
    return parts.map((x) => ({ name: x.name, filename: x.filename, text: Buffer.concat(x.data).toString('utf8') }));
  }

  it('gives the same parts whatever the chunking, even with boundary-like content', function () {
    // near misses of the delimiter CRLF--abc: a shorter one, one without CRLF, a lone CR
    const tricky = '1,S,13800000001\r\n--ab\r\nx--abc\r\r-\r\n-';
    const { body, contentType } = multipart([{ name: 'a', content: 'x' }, { name: 'file', filename: '名单.txt', content: tricky }, { name: 'b', content: '' }], 'abc');
    assert.strictEqual(boundaryOf(contentType), 'abc');
    const want = [{ name: 'a', filename: null, text: 'x' }, { name: 'file', filename: '名单.txt', text: tricky }, { name: 'b', filename: null, text: '' }];
    for (const size of [1, 2, 3, 7, 64, body.length]) assert.deepStrictEqual(parse(body, 'abc', size), want, `chunks of ${size}`);
  });

  it('rejects a body without its closing boundary and reads boundaries from the content type', function () {
    const { body } = multipart([{ name: 'file', filename: 'r.txt', content: 'x' }], 'abc');
    assert.throws(() => parse(body.subarray(0, body.length - 8), 'abc', 5), /closing boundary/);
    assert.strictEqual(boundaryOf('multipart/form-data; boundary="a b"'), 'a b');
    assert.strictEqual(boundaryOf('multipart/form-data'), null);
    assert.strictEqual(boundaryOf('application/json; boundary=x'), null);
  });
});

describe('sandbox options', function () {
  it('refuses a bad option with a message naming it, before listening', async function () {
    const bad = [
      [{ tokenStyles: ['json', 'xml'] }, /tokenStyles: unknown style xml/],
      [{ partition: 'week' }, /partition: unknown value week/],
      [{ dataFrom: '2025-13-01' }, /dataFrom: expected yyyy-MM-dd\[ HH:mm:ss\], got 2025-13-01/],
      [{ dataFrom: '2026-01-01', dataTo: '2025-12-31' }, /dataTo is before dataFrom/],
      [{ latencyMs: -1 }, /latencyMs must be a number >= 0/],
      [{ tokenTtlMs: 'long' }, /tokenTtlMs must be a number >= 0/],
    ];
    for (const [opts, text] of bad) await assert.rejects(startSandbox(opts), (e) => text.test(e.message), JSON.stringify(opts));
  });

  it('takes its data window as Dates or epoch ms too', async function () {
    const s = await startSandbox({ dataFrom: new Date(Date.UTC(2025, 4, 31, 16)), dataTo: Date.UTC(2025, 5, 30, 15, 59, 59), callsPerDay: 2 });
    try {
      assert.strictEqual(s.calls.range('2025-05-31 00:00:00', '2025-05-31 23:59:59').length, 0);
      assert.ok(s.calls.range('2025-06-01 00:00:00', '2025-06-30 23:59:59').length >= 2 * 30);
      assert.strictEqual(s.calls.range('2025-07-01 00:00:00', '2025-07-01 23:59:59').length, 0);
    } finally {
      await s.close();
    }
  });

  describe('the default seeded window', function () {
    // lib/sandbox internals: the window's default end is placed by a clock given to resolveOptions
    const { resolveOptions } = require('../../dist/lib/sandbox/options');
    const { CallStore } = require('../../dist/lib/sandbox/data');
    const CHINA = 8 * 3600e3;
    const DAY = 24 * 3600e3;
    const china = (y, mo, d, h = 0, mi = 0, sec = 0) => Date.UTC(y, mo - 1, d, h, mi, sec) - CHINA;
    const chinaDay = (ms) => Math.floor((ms + CHINA) / DAY) * DAY - CHINA;
    const chinaYear = (ms) => new Date(ms + CHINA).getUTCFullYear();
    const FIXTURES = [SAMPLE_CALL_ID, NO_RECORDING_CALL_ID, SAMPLE_ROBOT_CALL_ID];
    const seededOn = (calls, dayStart) => calls.range(dayStart, dayStart + DAY - 1).filter((c) => !FIXTURES.includes(c.callId));

    it('runs from 2025-01-01 to the end of the year after the current one (China time), so yesterday and today are seeded in any year', function () {
      const nows = [
        china(2026, 11, 26, 10), // when this was written
        china(2027, 1, 1, 0, 30), // the first day past the old fixed end (2026-12-31)
        china(2027, 1, 2, 10),
        china(2027, 12, 31, 12), // a year end
        Date.UTC(2027, 11, 31, 17, 0, 0), // 2027-12-31 in UTC, already 2028-01-01 01:00 in China: the export example's hour
        china(2028, 2, 29, 12), // a leap day
        china(2028, 3, 1, 0, 10), // yesterday is that leap day
        china(2030, 6, 15, 12),
        china(2099, 12, 31, 23, 59, 59),
      ];
      for (const now of nows) {
        const at = new Date(now).toISOString();
        const o = resolveOptions({ callsPerDay: 3 }, now);
        // fixtures dated far off, so that only seeded calls are counted
        const store = new CallStore({ seed: o.seed, callsPerDay: o.callsPerDay, fromMs: o.dataFromMs, toMs: o.dataToMs, domain: o.domain, fixtureDayMs: china(2020, 1, 1) });
        const today = chinaDay(now);
        for (const [name, day] of [['yesterday', today - DAY], ['today', today], ['in 364 days', today + 364 * DAY]]) {
          const calls = seededOn(store, day);
          assert.strictEqual(calls.length, 3, `${at}: ${name} holds ${calls.length} seeded calls`);
          for (const c of calls) assert.strictEqual(store.get(c.callId), c, `${at}: ${name}'s call ${c.callId} is found by its id`);
        }
        assert.strictEqual(o.dataFromMs, china(2025, 1, 1), at);
        assert.strictEqual(o.dataToMs, china(chinaYear(now) + 1, 12, 31, 23, 59, 59), at);
      }
    });

    it('keeps an explicit dataFrom and dataTo whatever the clock says', function () {
      const o = resolveOptions({ dataFrom: '2025-03-01', dataTo: '2026-12-31' }, china(2030, 6, 15, 12));
      assert.strictEqual(o.dataFromMs, china(2025, 3, 1));
      assert.strictEqual(o.dataToMs, china(2026, 12, 31, 23, 59, 59));
      assert.throws(() => resolveOptions({ dataFrom: '2031-01-01' }, china(2029, 6, 1)), /dataTo is before dataFrom/);
    });

    it('in a sandbox started now, holds seeded calls yesterday and today (China time, from the clock)', async function () {
      const now = Date.now();
      const s = await startSandbox({ callsPerDay: 5 });
      try {
        assert.ok(s.options.dataToMs >= china(chinaYear(now) + 1, 12, 31, 23, 59, 59), `the window ends ${new Date(s.options.dataToMs).toISOString()}`);
        for (const day of [chinaDay(now) - DAY, chinaDay(now)]) {
          assert.strictEqual(seededOn(s.calls, day).length, 5, `seeded calls on ${new Date(day + CHINA).toISOString().slice(0, 10)}`);
        }
      } finally {
        await s.close();
      }
    });

    it('does not change the ids or data of a day when the window grows: days come from (seed, day) alone', async function () {
      const old = await startSandbox({ dataTo: '2026-12-31' });
      const now = await startSandbox();
      try {
        for (const day of ['2025-01-01', '2025-03-14', '2026-02-28', '2026-12-31']) {
          const a = old.calls.range(`${day} 00:00:00`, `${day} 23:59:59`).filter((c) => !FIXTURES.includes(c.callId));
          const b = now.calls.range(`${day} 00:00:00`, `${day} 23:59:59`).filter((c) => !FIXTURES.includes(c.callId));
          assert.strictEqual(a.length, 40, day);
          assert.deepStrictEqual(b, a, day);
        }
        // pinned: the ids users and saved flows may have noted from the default sandbox (seed 1)
        const first = now.calls.range('2025-03-14 00:00:00', '2025-03-14 23:59:59')[0];
        assert.strictEqual(first.callId, 'aabe7248-4ddb-4ba3-bbc7-7a36d78cab50');
        assert.deepStrictEqual(first.recordings.map((r) => r.id), ['4c8468ac-1cd4-40db-b8d0-4d916fc29070']);
        const last = now.calls.range('2026-12-31 00:00:00', '2026-12-31 23:59:59').pop();
        assert.strictEqual(last.callId, '83b6554b-7893-45b1-b1d0-4cf1fd7b2a6b');
        assert.strictEqual(last.beginTime, '2026-12-31 23:59:59');
      } finally {
        await Promise.all([old.close(), now.close()]);
      }
    });
  });

  it('fails to start on a port already in use (EADDRINUSE)', async function () {
    const first = await startSandbox();
    try {
      await assert.rejects(startSandbox({ port: first.port }), (e) => e.code === 'EADDRINUSE');
    } finally {
      await first.close();
    }
  });
});
