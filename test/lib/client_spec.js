'use strict';
/**
 * WellcloudClient against the real sandbox over loopback: every endpoint's success path and
 * the request the sandbox saw (path, method, header, query names, body), and the documented
 * error codes with their localized explanations.
 */
const assert = require('assert');
const http = require('http');
const sandboxLib = require('../../dist/lib/sandbox');
const { WellcloudClient, toRecordArray } = require('../../dist/lib/client');

const { startSandbox, DEMO_CREDENTIALS } = sandboxLib;
const SAMPLE_CALL_ID = sandboxLib.SAMPLE_CALL_ID || 'e617caaf-1fc6-4998-a8a8-c9313fefde38';
const SAMPLE_RECORDING_ID = sandboxLib.SAMPLE_RECORDING_ID || '31a3f631-ed66-4713-86b2-c8d75ef4a4c7';
const NO_RECORDING_CALL_ID = sandboxLib.NO_RECORDING_CALL_ID || '000371b2-2522-4c13-b414-8cdc5fa0b159';
const UNKNOWN_CALL_ID = sandboxLib.UNKNOWN_CALL_ID || 'ffffffff-ffff-4fff-bfff-ffffffffffff';
const DOMAIN = sandboxLib.DEMO_DOMAIN || 'demo.cc';
const TENANT_ID = sandboxLib.DEMO_TENANT_ID;
const CAMPAIGN_ID = sandboxLib.DEMO_CAMPAIGN_ID || 'ca0f61c88e194ce5ad47d820ac40d1e0';

const DUAL_CALL = { deviceId: `8001@${DOMAIN}`, prefix: '9', customerPhone: '13912345678' };

function outboundBody() {
  return { activityId: CAMPAIGN_ID, callee: '13912345678', caller: `8001@${DOMAIN}`, data: { orderNo: 'A1' }, domain: DOMAIN, rosterId: 'r-1', tenantId: TENANT_ID };
}

async function readAll(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

function plainGet(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('lib/client against the sandbox', function () {
  let sandbox;
  let client;
  let zh;

  /** API requests the sandbox logged (token applications left out). */
  const apiRequests = () => sandbox.requests.filter((r) => r.path !== '/accesstoken/apply');
  const lastRequest = () => apiRequests()[apiRequests().length - 1];

  before(async function () {
    sandbox = await startSandbox({ port: 0 });
    client = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, retry: { baseDelayMs: 5 } });
    zh = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, lang: 'zh-CN', retry: { baseDelayMs: 5 } });
  });

  after(async function () {
    client.close();
    zh.close();
    await sandbox.close();
  });

  beforeEach(() => sandbox.clearRequests());

  function assertTokenHeader(r) {
    const issued = typeof sandbox.issuedTokens === 'function' ? sandbox.issuedTokens() : undefined;
    assert.ok(r.headers.wellcloud_token, 'wellcloud_token header sent');
    if (issued) assert.ok(issued.includes(r.headers.wellcloud_token), 'the header holds an issued token');
  }

  describe('token', function () {
    it('applies with POST /accesstoken/apply (JSON body) and sends no token header there', async function () {
      const c = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS });
      try {
        const info = await c.applyToken();
        assert.ok(info.token.length > 0);
        assert.ok(info.expiresAt > Date.now());
        const r = sandbox.requests.find((x) => x.path === '/accesstoken/apply');
        assert.strictEqual(r.method, 'POST');
        assert.deepStrictEqual(r.body, { ...DEMO_CREDENTIALS });
        assert.strictEqual(r.headers.wellcloud_token, undefined);
      } finally {
        c.close();
      }
    });

    it('maps wrong credentials to the platform error', async function () {
      const c = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, appSecret: 'wrong-secret-1234' });
      try {
        await assert.rejects(c.getCall(SAMPLE_CALL_ID), (e) => {
          assert.strictEqual(e.code, '401');
          assert.strictEqual(e.status, 401);
          assert.match(e.message, /rejected the token application/);
          assert.ok(!JSON.stringify(e).includes('wrong-secret-1234'));
          return true;
        });
        assert.strictEqual(apiRequests().length, 0);
      } finally {
        c.close();
      }
    });
  });

  describe('recordings', function () {
    it('lists the recordings of a call (GET, path-encoded callId, always an array)', async function () {
      const list = await client.listCallRecordings(SAMPLE_CALL_ID);
      assert.ok(Array.isArray(list));
      assert.ok(list.length >= 1);
      for (const rec of list) assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
      assert.ok(list.some((rec) => rec.id === SAMPLE_RECORDING_ID));
      const r = lastRequest();
      assert.strictEqual(r.method, 'GET');
      assert.strictEqual(r.path, `/api/cdr/2.0/recordings/open/call/${SAMPLE_CALL_ID}`);
      assertTokenHeader(r);
    });

    it('reads every answer shape of the decision (array, {list}, {data}, one object) as an array, an empty envelope as none', function () {
      const rec = { id: 'r1', callId: 'c1' };
      assert.deepStrictEqual(toRecordArray([rec]), [rec]);
      assert.deepStrictEqual(toRecordArray({ list: [rec] }), [rec]);
      assert.deepStrictEqual(toRecordArray({ data: [rec] }), [rec]);
      assert.deepStrictEqual(toRecordArray({ data: { list: [rec] } }), [rec]);
      assert.deepStrictEqual(toRecordArray(rec), [rec]);
      assert.deepStrictEqual(toRecordArray({ data: rec }), [rec]);
      // an envelope without records is no record (it became one fake record before)
      assert.deepStrictEqual(toRecordArray({ data: null, hasData: false }), []);
      assert.deepStrictEqual(toRecordArray({ list: null, total: 0 }), []);
      assert.deepStrictEqual(toRecordArray({ data: {} }), []);
      assert.deepStrictEqual(toRecordArray({}), []);
      assert.deepStrictEqual(toRecordArray(null), []);
      assert.deepStrictEqual(toRecordArray(''), []);
    });

    it('unwraps an answer nested 100,000 levels deep in `data` without overflowing the stack', function () {
      const rec = { id: 'r1', callId: 'c1' };
      const depth = 100_000;
      const body = JSON.parse('{"data":'.repeat(depth) + JSON.stringify({ list: [rec] }) + '}'.repeat(depth));
      assert.deepStrictEqual(toRecordArray(body), [rec]);
      assert.deepStrictEqual(toRecordArray(JSON.parse('{"data":'.repeat(depth) + '{"hasData":false}' + '}'.repeat(depth))), [{ hasData: false }]);
    });

    it('maps 14011 (unknown callId) and 14012 (no recording)', async function () {
      await assert.rejects(client.listCallRecordings(UNKNOWN_CALL_ID), (e) => e.code === '14011' && /callId does not exist/.test(e.message));
      await assert.rejects(client.listCallRecordings(NO_RECORDING_CALL_ID), (e) => e.code === '14012' && /no recording for that callId/.test(e.message));
      await assert.rejects(zh.listCallRecordings(NO_RECORDING_CALL_ID), (e) => e.code === '14012' && /没有对应的录音记录/.test(e.message));
    });

    it('streams the merged audio of a call as MP3', async function () {
      const audio = await client.getCallAudio(SAMPLE_CALL_ID, { isDownload: 1, isWav: 0 });
      assert.strictEqual(audio.kind, 'stream');
      assert.strictEqual(audio.status, 200);
      assert.match(audio.contentType, /audio\/(mpeg|mp3)/);
      const bytes = await readAll(audio.stream);
      assert.ok(bytes.length > 100);
      if (audio.contentLength !== undefined) assert.strictEqual(bytes.length, audio.contentLength);
      const r = lastRequest();
      assert.strictEqual(r.method, 'GET');
      assert.strictEqual(r.path, `/api/cdr/2.0/recordings/open/call/${SAMPLE_CALL_ID}/stream`);
      assert.deepStrictEqual(r.query, { isDownload: '1', isWav: '0' });
      assertTokenHeader(r);
    });

    it('streams two-track WAV with isWav=1 (recent call)', async function () {
      const recent = sandbox.addCall({ talkLength: 5, recordings: 1 });
      sandbox.clearRequests();
      const audio = await client.getCallAudio(recent.callId, { isDownload: 0, isWav: 1 });
      assert.match(audio.contentType, /wav/);
      const bytes = await readAll(audio.stream);
      assert.strictEqual(bytes.subarray(0, 4).toString('latin1'), 'RIFF');
      assert.strictEqual(bytes.readUInt16LE(22), 2, 'two channels');
      assert.deepStrictEqual(lastRequest().query, { isDownload: '0', isWav: '1' });
    });

    it('streams one recording by id (GET /recording/{id}/stream)', async function () {
      const audio = await client.getRecordingAudio(SAMPLE_RECORDING_ID, { isDownload: 1, isWav: 0 });
      const bytes = await readAll(audio.stream);
      assert.ok(bytes.length > 100);
      assert.strictEqual(lastRequest().path, `/api/cdr/2.0/recordings/open/recording/${SAMPLE_RECORDING_ID}/stream`);
    });

    it('maps the JSON error answer of a stream path (never returned as audio)', async function () {
      await assert.rejects(client.getRecordingAudio(UNKNOWN_CALL_ID, { isDownload: 1, isWav: 0 }), (e) => {
        assert.ok(['14013', '14011'].includes(e.code), e.code);
        assert.strictEqual(e.status >= 400, true);
        return true;
      });
      await assert.rejects(zh.getCallAudio(NO_RECORDING_CALL_ID, { isDownload: 1, isWav: 0 }), (e) => {
        assert.ok(['14013', '14012'].includes(e.code), e.code);
        assert.match(e.message, /录音/);
        return true;
      });
    });

    it('returns the redirect Location for isDownload=2 and does not follow it', async function () {
      const out = await client.getCallAudio(SAMPLE_CALL_ID, { isDownload: 2, isWav: 0 });
      assert.strictEqual(out.kind, 'redirect');
      assert.ok(out.status >= 300 && out.status < 400);
      assert.ok(out.location);
      assert.strictEqual(apiRequests().length, 1, 'the location was not requested by the client');
      const file = await plainGet(new URL(out.location, sandbox.url).toString());
      assert.strictEqual(file.status, 200);
      assert.ok(file.body.length > 100);
    });
  });

  describe('call detail records', function () {
    it('gets one call (GET /api/cdr/2.0/calls/open/call/{callId})', async function () {
      const rec = await client.getCall(SAMPLE_CALL_ID);
      assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
      const r = lastRequest();
      assert.strictEqual(r.method, 'GET');
      assert.strictEqual(r.path, `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`);
      assertTokenHeader(r);
    });

    it('URL-encodes path parameters', async function () {
      await assert.rejects(client.getCall('a/b c?d'), (e) => /^(14011|HTTP_404|400)$/.test(e.code));
      const r = lastRequest();
      assert.ok(!r.path.endsWith('/a/b c'), r.path);
      assert.deepStrictEqual(r.query, {});
    });

    it('maps 14011 in en-US and zh-CN, with the platform text and platformAnswer()', async function () {
      await assert.rejects(client.getCall(UNKNOWN_CALL_ID), (e) => {
        assert.strictEqual(e.name, 'WellcloudError');
        assert.strictEqual(e.code, '14011');
        assert.strictEqual(e.status, 400);
        assert.match(e.message, /^The callId does not exist \(14011\)\. Check the callId\. — platform: .+/);
        const a = e.platformAnswer();
        assert.strictEqual(a.status, 400);
        assert.strictEqual(String(a.errorCode), '14011');
        assert.ok(a.errorMessage);
        assert.ok(a.instanceId);
        return true;
      });
      await assert.rejects(zh.getCall(UNKNOWN_CALL_ID), (e) => e.code === '14011' && /^callId 不存在（14011），请检查 callId。（平台：/.test(e.message));
    });

    it('queries a time range: query names, numbers as text, total on page 1 only', async function () {
      const q = { beginTime: '2025-03-14 00:00:00', endTime: '2025-03-14 23:59:59', isOrder: 1, domain: DOMAIN, p: 1, s: 10 };
      const page1 = await client.queryCalls(q);
      assert.strictEqual(typeof page1.total, 'number');
      assert.ok(page1.total > 0);
      assert.ok(page1.list.length > 0 && page1.list.length <= 10);
      const r = lastRequest();
      assert.strictEqual(r.method, 'GET');
      assert.strictEqual(r.path, '/api/cdr/2.0/calls/open');
      assert.deepStrictEqual(r.query, { beginTime: q.beginTime, endTime: q.endTime, isOrder: '1', domain: DOMAIN, p: '1', s: '10' });
      assertTokenHeader(r);
      const page2 = await client.queryCalls({ ...q, p: 2 });
      assert.strictEqual(page2.total, undefined);
    });

    it('maps 14004 (begin after end), 14001 (span too large) and 14015 (partition)', async function () {
      const base = { isOrder: 1, domain: DOMAIN };
      await assert.rejects(client.queryCalls({ ...base, beginTime: '2025-03-15 00:00:00', endTime: '2025-03-14 00:00:00' }), (e) => e.code === '14004' && /Swap them/.test(e.message));
      await assert.rejects(client.queryCalls({ ...base, beginTime: '2025-01-01 00:00:00', endTime: '2025-06-30 00:00:00' }), (e) => e.code === '14001' && /time span of the query is too large/.test(e.message));
      await assert.rejects(zh.queryCalls({ ...base, beginTime: '2025-01-01 00:00:00', endTime: '2025-06-30 00:00:00' }), (e) => e.code === '14001' && /查询时间跨度过大（14001）/.test(e.message));
      await assert.rejects(client.queryCalls({ ...base, beginTime: '2025-03-31 12:00:00', endTime: '2025-04-01 12:00:00' }), (e) => {
        assert.strictEqual(e.code, '14015');
        assert.match(e.message, /crosses a database partition/);
        if (e.details && e.details.splitAt) assert.match(e.message, /\(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\)/);
        return true;
      });
    });

    it('queries robot calls: every query name, isCount=false, undefined dropped', async function () {
      const page = await client.queryRobotCalls({
        campaignId: CAMPAIGN_ID,
        beginTime: '2025-03-14 00:00:00',
        endTime: '2025-03-14 23:59:59',
        isOrder: 0,
        isDownload: 0,
        domain: DOMAIN,
        isCount: false,
        uuiKey: undefined,
        p: 1,
        s: 5,
      });
      assert.ok(Array.isArray(page.list));
      const r = lastRequest();
      assert.strictEqual(r.method, 'GET');
      assert.strictEqual(r.path, '/api/cdr/2.0/open/calls/robot');
      assert.deepStrictEqual(r.query, {
        campaignId: CAMPAIGN_ID,
        beginTime: '2025-03-14 00:00:00',
        endTime: '2025-03-14 23:59:59',
        isOrder: '0',
        isDownload: '0',
        domain: DOMAIN,
        isCount: 'false',
        p: '1',
        s: '5',
      });
      assertTokenHeader(r);
    });
  });

  describe('outbound', function () {
    it('starts an instant outbound call (POST JSON with only the API fields)', async function () {
      const body = { ...outboundBody(), extra: 'not sent' };
      const res = await client.instantOutbound(body);
      assert.ok('result' in res);
      const r = lastRequest();
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.path, '/api/ocm/instant/smart');
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.deepStrictEqual(r.body, outboundBody());
      assertTokenHeader(r);
    });

    it('validates the outbound body before sending anything', async function () {
      const body = outboundBody();
      delete body.rosterId;
      await assert.rejects(client.instantOutbound(body), (e) => e.code === 'INVALID_INPUT' && e.field === 'rosterId');
      await assert.rejects(zh.instantOutbound({ ...outboundBody(), callee: 'x' }), (e) => e.code === 'INVALID_INPUT' && /callee 必须是 3 到 20 位数字/.test(e.message));
      assert.strictEqual(apiRequests().length, 0);
    });

    it('refuses a body JSON cannot carry, naming the field and why, in en-US and zh-CN, before sending anything', async function () {
      const circular = { a: 1 };
      circular.self = circular;
      const cases = [
        ['a BigInt', { orderId: 142459n }],
        ['a circular reference', circular],
        ['a toJSON that throws', { toJSON: () => { throw new Error('no JSON'); } }],
        ['a getter that throws', Object.defineProperty({}, 'orderId', { enumerable: true, get: () => { throw new Error('no read'); } })],
      ];
      for (const [name, userData] of cases) {
        await assert.rejects(client.dualCall({ ...DUAL_CALL, userData }), (e) => {
          assert.strictEqual(e.code, 'INVALID_INPUT', name);
          assert.strictEqual(e.field, 'userData', name);
          assert.match(e.message, /^userData cannot be sent as JSON: it holds a BigInt or a circular reference, or turning it into JSON failed/, name);
          return true;
        });
      }
      await assert.rejects(zh.dualCall({ ...DUAL_CALL, userData: cases[2][1] }), (e) => e.code === 'INVALID_INPUT' && /^userData 无法以 JSON 发送：.*toJSON 抛出了异常/.test(e.message));
      assert.strictEqual(apiRequests().length, 0);
    });

    it('sends no dial number the sandbox would refuse: 3 to 20 digits on both sides', async function () {
      for (const callee of ['12', '1'.repeat(21)]) {
        await assert.rejects(client.instantOutbound({ ...outboundBody(), callee }), (e) => e.code === 'INVALID_INPUT' && e.field === 'callee');
        await assert.rejects(client.dualCall({ ...DUAL_CALL, customerPhone: callee }), (e) => e.code === 'INVALID_INPUT' && e.field === 'customerPhone');
      }
      await assert.rejects(client.dualCall({ ...DUAL_CALL, prefix: '9a' }), (e) => e.code === 'INVALID_INPUT' && e.field === 'prefix');
      assert.strictEqual(apiRequests().length, 0);
      // the shortest and longest numbers the client lets through, the sandbox takes
      for (const customerPhone of ['110', '+' + '1'.repeat(20)]) {
        const { callId } = await client.dualCall({ ...DUAL_CALL, customerPhone, prefix: '*9#' });
        assert.ok(callId);
      }
    });

    it('places a dual call (POST JSON) and returns the callId', async function () {
      const res = await client.dualCall({ ...DUAL_CALL, userData: { Id: '142459' }, options: { cpa: true, displayOrigin: '4008100001' } });
      assert.strictEqual(typeof res.callId, 'string');
      assert.ok(res.callId);
      const r = lastRequest();
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.path, '/api/ext/v2/calls/uc');
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.deepStrictEqual(r.body, { ...DUAL_CALL, userData: { Id: '142459' }, options: { cpa: 'true', displayOrigin: '4008100001' } });
      assertTokenHeader(r);
    });

    it('maps 14005 (deviceId of another domain) for the dual call', async function () {
      await assert.rejects(client.dualCall({ ...DUAL_CALL, deviceId: '8001@elsewhere.cc' }), (e) => e.code === '14005' && /deviceId is invalid \(14005\)/.test(e.message));
      await assert.rejects(zh.dualCall({ ...DUAL_CALL, deviceId: '8001@elsewhere.cc' }), (e) => e.code === '14005' && /deviceId 不合法（14005）/.test(e.message));
    });

    it('explains 14001/14002 as dual call codes on the dual call, as query codes elsewhere', async function () {
      sandbox.failNext({ method: 'POST', path: '/api/ext/v2/calls/uc' }, { status: 400, errorCode: 14001 });
      await assert.rejects(client.dualCall(DUAL_CALL), (e) => e.code === '14001' && /deviceId is empty/.test(e.message));
      sandbox.failNext({ method: 'POST', path: '/api/ext/v2/calls/uc' }, { status: 400, errorCode: 14002 });
      await assert.rejects(zh.dualCall(DUAL_CALL), (e) => e.code === '14002' && /customerPhone 为空/.test(e.message));
      sandbox.failNext({ method: 'GET', path: `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}` }, { status: 400, errorCode: 14002 });
      await assert.rejects(client.getCall(SAMPLE_CALL_ID), (e) => e.code === '14002' && /timed out upstream/.test(e.message));
      sandbox.failNext({ method: 'POST', path: '/api/ext/v2/calls/uc' }, { status: 400, errorCode: 12008 });
      await assert.rejects(client.dualCall(DUAL_CALL), (e) => e.code === '12008' && /No CMS service instance/.test(e.message));
    });

    it('says a call request cut on its way may have been placed (details.callMayBePlaced); other cancellations do not', async function () {
      const fresh = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS });
      const abortAfter = (ms) => {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), ms);
        return ac.signal;
      };
      try {
        sandbox.setLatency(300);
        // cancelled while the token application is under way: the call was never sent
        await assert.rejects(fresh.dualCall(DUAL_CALL, { signal: abortAfter(100) }), (e) => e.code === 'ABORTED' && e.details === undefined && e.message === 'The request was cancelled.');
        assert.ok(!sandbox.requests.some((r) => r.path === '/api/ext/v2/calls/uc'));
        sandbox.setLatency(0);
        await fresh.getToken();
        sandbox.setLatency(300);
        // cancelled after the call request went out: the platform got it (the sandbox logs it)
        for (const [c, re] of [[fresh, /may have been placed\. Check before calling again/], [zh, /呼叫可能已经发出/]]) {
          sandbox.clearRequests();
          if (c === zh) {
            sandbox.setLatency(0);
            await zh.getToken();
            sandbox.setLatency(300);
          }
          await assert.rejects(c.dualCall(DUAL_CALL, { signal: abortAfter(100) }), (e) => e.code === 'ABORTED' && e.details.callMayBePlaced === true && re.test(e.message));
          assert.strictEqual(sandbox.requests.filter((r) => r.path === '/api/ext/v2/calls/uc').length, 1);
        }
        await assert.rejects(fresh.instantOutbound(outboundBody(), { signal: abortAfter(100) }), (e) => e.code === 'ABORTED' && e.details.callMayBePlaced === true);
        // a query cut on its way rings nothing
        await assert.rejects(fresh.getCall(SAMPLE_CALL_ID, { signal: abortAfter(100) }), (e) => e.code === 'ABORTED' && e.details === undefined);
        // aborted before anything was sent: plainly cancelled
        const ac = new AbortController();
        ac.abort();
        sandbox.clearRequests();
        await assert.rejects(fresh.dualCall(DUAL_CALL, { signal: ac.signal }), (e) => e.code === 'ABORTED' && e.details === undefined);
        assert.strictEqual(sandbox.requests.length, 0);
      } finally {
        sandbox.setLatency(0);
        fresh.close();
      }
    });

    it('validates the dual call body before sending anything', async function () {
      await assert.rejects(client.dualCall({ ...DUAL_CALL, deviceId: '8001' }), (e) => e.code === 'INVALID_INPUT' && e.field === 'deviceId');
      await assert.rejects(client.dualCall({ ...DUAL_CALL, options: { cpa: 'yes' } }), (e) => e.code === 'INVALID_INPUT' && e.field === 'options.cpa');
      assert.strictEqual(apiRequests().length, 0);
    });

    it('uploads a roster as multipart part "file" with alias and templateId', async function () {
      const text = '1001,loan,13912345678,c-1,name:Li|amount:100\n1002,loan,13912345679\n';
      const res = await client.uploadRoster(Buffer.from(text), { alias: '2025-03-名单', templateId: CAMPAIGN_ID, filename: 'r.csv' });
      assert.ok(res.batchId);
      assert.strictEqual(typeof res.batchName, 'string');
      assert.strictEqual(res.alias, '2025-03-名单');
      const r = lastRequest();
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.path, '/api/ros/2.0/batches');
      assert.deepStrictEqual(r.query, { alias: '2025-03-名单', templateId: CAMPAIGN_ID });
      assert.match(r.headers['content-type'], /^multipart\/form-data; boundary=/);
      assertTokenHeader(r);
      if (sandbox.uploads) {
        const up = sandbox.uploads[sandbox.uploads.length - 1];
        assert.strictEqual(up.batchId, res.batchId);
        assert.strictEqual(up.rows.length, 2);
        assert.strictEqual(up.filename, 'r.csv');
      }
    });

    it('uploads a roster from a stream factory, without alias', async function () {
      const { Readable } = require('stream');
      const text = '2001,loan,13800000000\n';
      const res = await client.uploadRoster(() => Readable.from([Buffer.from(text)]), { templateId: CAMPAIGN_ID, knownLength: Buffer.byteLength(text) });
      assert.ok(res.batchId);
      assert.strictEqual(res.alias, null);
      assert.deepStrictEqual(lastRequest().query, { templateId: CAMPAIGN_ID });
    });

    it('explains 404 on the roster upload (unknown templateId)', async function () {
      await assert.rejects(client.uploadRoster('1,a,1\n', { templateId: 'no-such-template' }), (e) => {
        assert.ok(e.code === '404' || e.code === 'HTTP_404', e.code);
        assert.match(e.message, /Unknown service or activity \(404\)/);
        return true;
      });
    });
  });
});
