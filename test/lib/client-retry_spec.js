'use strict';
/**
 * Retries, timeouts, cancellation and secret hygiene against the sandbox: GETs are retried
 * on 503/429/reset (3 attempts in all, Retry-After honoured), POSTs never; timeouts give
 * ETIMEDOUT, aborts ABORTED without retry; no error ever carries the token or a credential.
 */
const assert = require('assert');
const util = require('util');
const sandboxLib = require('../../dist/lib/sandbox');
const { WellcloudClient } = require('../../dist/lib/client');

const { startSandbox, DEMO_CREDENTIALS } = sandboxLib;
const SAMPLE_CALL_ID = sandboxLib.SAMPLE_CALL_ID || 'e617caaf-1fc6-4998-a8a8-c9313fefde38';
const UNKNOWN_CALL_ID = sandboxLib.UNKNOWN_CALL_ID || 'ffffffff-ffff-4fff-bfff-ffffffffffff';
const DOMAIN = sandboxLib.DEMO_DOMAIN || 'demo.cc';
const TENANT_ID = sandboxLib.DEMO_TENANT_ID;
const CAMPAIGN_ID = sandboxLib.DEMO_CAMPAIGN_ID || 'ca0f61c88e194ce5ad47d820ac40d1e0';
const CALL_PATH = `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`;
const UNKNOWN_CALL_PATH = `/api/cdr/2.0/calls/open/call/${UNKNOWN_CALL_ID}`;
const DUAL_PATH = '/api/ext/v2/calls/uc';
const OUTBOUND_PATH = '/api/ocm/instant/smart';
const ROSTER_PATH = '/api/ros/2.0/batches';
const DUAL_CALL = { deviceId: `8001@${DOMAIN}`, prefix: '9', customerPhone: '13912345678' };
const OUTBOUND = { activityId: CAMPAIGN_ID, callee: '13912345678', caller: `8001@${DOMAIN}`, data: {}, domain: DOMAIN, rosterId: 'r-1', tenantId: TENANT_ID };

function assertNoSecret(err, secrets) {
  assert.strictEqual(err.name, 'WellcloudError');
  const texts = [err.message, err.stack, JSON.stringify(err), util.inspect(err, { depth: 10, showHidden: true }), String(err)];
  for (const text of texts) for (const s of secrets) assert.ok(!String(text).includes(s), `a secret leaked: ${text}`);
  assert.strictEqual(err.config, undefined);
  assert.strictEqual(err.request, undefined);
  assert.strictEqual(err.response, undefined);
  assert.strictEqual(err.cause, undefined);
}

describe('lib/client retries, timeouts, aborts and secrets (sandbox)', function () {
  let sandbox;
  let client;
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);

  before(async function () {
    process.on('unhandledRejection', onUnhandled);
    sandbox = await startSandbox({ port: 0 });
  });

  after(async function () {
    process.removeListener('unhandledRejection', onUnhandled);
    await sandbox.close();
    assert.deepStrictEqual(unhandled, [], 'no unhandled rejections');
  });

  beforeEach(async function () {
    sandbox.setLatency(0);
    if (typeof sandbox.clearFaults === 'function') sandbox.clearFaults();
    client = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, retry: { baseDelayMs: 5 } });
    await client.getToken();
    sandbox.clearRequests();
  });

  afterEach(() => client.close());

  const hits = (path) => sandbox.requests.filter((r) => r.path === path);

  describe('GET retries', function () {
    it('retries on 503: two failures then success = 3 attempts', async function () {
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 503, times: 2 });
      const rec = await client.getCall(SAMPLE_CALL_ID);
      assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
      assert.strictEqual(hits(CALL_PATH).length, 3);
    });

    it('stops after 3 attempts and returns the mapped 503', async function () {
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 503, times: 5 });
      await assert.rejects(client.getCall(SAMPLE_CALL_ID), (e) => e.status === 503 && /HTTP 503/.test(e.message));
      assert.strictEqual(hits(CALL_PATH).length, 3);
    });

    it('retries on 429 and on a destroyed socket', async function () {
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 429 });
      await client.getCall(SAMPLE_CALL_ID);
      assert.strictEqual(hits(CALL_PATH).length, 2);
      sandbox.clearRequests();
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 0, destroySocket: true });
      await client.getCall(SAMPLE_CALL_ID);
      assert.strictEqual(hits(CALL_PATH).length, 2);
    });

    it('does not retry a 4xx platform error', async function () {
      await assert.rejects(client.getCall(UNKNOWN_CALL_ID), (e) => e.code === '14011');
      assert.strictEqual(hits(`/api/cdr/2.0/calls/open/call/${UNKNOWN_CALL_ID}`).length, 1);
    });

    it('honours Retry-After (seconds) instead of the jitter delay', async function () {
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 503, retryAfter: 1 });
      const t0 = Date.now();
      await client.getCall(SAMPLE_CALL_ID);
      assert.ok(Date.now() - t0 >= 900, 'waited about a second');
      assert.strictEqual(hits(CALL_PATH).length, 2);
    });

    it('uses the configured number of attempts', async function () {
      client.close();
      client = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, retry: { attempts: 1, baseDelayMs: 5 } });
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 503 });
      await assert.rejects(client.getCall(SAMPLE_CALL_ID), (e) => e.status === 503);
      assert.strictEqual(hits(CALL_PATH).length, 1);
    });
  });

  describe('POSTs are never retried', function () {
    it('dual call: exactly 1 request on 503', async function () {
      sandbox.failNext({ method: 'POST', path: DUAL_PATH }, { status: 503, times: 3 });
      await assert.rejects(client.dualCall(DUAL_CALL), (e) => e.status === 503);
      assert.strictEqual(hits(DUAL_PATH).length, 1);
    });

    it('instant outbound: exactly 1 request on 503', async function () {
      sandbox.failNext({ method: 'POST', path: OUTBOUND_PATH }, { status: 503, times: 3 });
      await assert.rejects(client.instantOutbound(OUTBOUND), (e) => e.status === 503);
      assert.strictEqual(hits(OUTBOUND_PATH).length, 1);
    });

    it('roster upload: exactly 1 request on 503', async function () {
      sandbox.failNext({ method: 'POST', path: ROSTER_PATH }, { status: 503, times: 3 });
      await assert.rejects(client.uploadRoster('1,a,13900000000\n', { templateId: CAMPAIGN_ID }), (e) => e.status === 503);
      assert.strictEqual(hits(ROSTER_PATH).length, 1);
    });

    it('dual call: exactly 1 request when the socket is destroyed', async function () {
      sandbox.failNext({ method: 'POST', path: DUAL_PATH }, { status: 0, destroySocket: true });
      await assert.rejects(client.dualCall(DUAL_CALL), (e) => e.code === 'ECONNRESET');
      assert.strictEqual(hits(DUAL_PATH).length, 1);
    });

    for (const [title, second, check] of [
      ['a second 401', { status: 401 }, (e) => e.status === 401],
      ['a 503', { status: 503 }, (e) => e.status === 503],
      ['a destroyed socket', { status: 0, destroySocket: true }, (e) => e.code === 'ECONNRESET'],
    ]) {
      it(`dual call: the repeat after a 401 renewal is the only repeat, even when it meets ${title}`, async function () {
        sandbox.failNext({ method: 'POST', path: DUAL_PATH }, { status: 401 });
        sandbox.failNext({ method: 'POST', path: DUAL_PATH }, { ...second, times: 3 });
        const applied = sandbox.tokenApplications;
        await assert.rejects(client.dualCall(DUAL_CALL), check);
        assert.strictEqual(hits(DUAL_PATH).length, 2);
        assert.strictEqual(sandbox.tokenApplications, applied + 1);
      });
    }

    it('token application: exactly 1 request on 503', async function () {
      client.invalidateToken();
      sandbox.failNext({ method: 'POST', path: '/accesstoken/apply' }, { status: 503, times: 3 });
      await assert.rejects(client.getToken(), (e) => e.status === 503);
      assert.strictEqual(hits('/accesstoken/apply').length, 1);
    });
  });

  describe('timeouts', function () {
    it('a GET that gets no answer fails with ETIMEDOUT (after its retries)', async function () {
      sandbox.setLatency(400);
      await assert.rejects(client.getCall(SAMPLE_CALL_ID, { timeout: 80 }), (e) => {
        assert.strictEqual(e.code, 'ETIMEDOUT');
        assert.match(e.message, /within 80 ms/);
        return true;
      });
      assert.strictEqual(hits(CALL_PATH).length, 3);
    });

    it('a POST that gets no answer fails with ETIMEDOUT after 1 request', async function () {
      sandbox.setLatency(400);
      const zh = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, lang: 'zh-CN', timeout: 80 });
      try {
        await zh.getToken({ timeout: 5000 });
        sandbox.clearRequests();
        await assert.rejects(zh.dualCall(DUAL_CALL), (e) => e.code === 'ETIMEDOUT' && /80 毫秒内没有应答/.test(e.message));
        assert.strictEqual(hits(DUAL_PATH).length, 1);
      } finally {
        zh.close();
      }
    });
  });

  describe('cancellation', function () {
    it('abort → ABORTED, no retry', async function () {
      sandbox.setLatency(300);
      const ac = new AbortController();
      const p = client.getCall(SAMPLE_CALL_ID, { signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(p, (e) => e.code === 'ABORTED' && /cancelled/.test(e.message));
      sandbox.setLatency(0);
      await new Promise((r) => setTimeout(r, 350));
      assert.strictEqual(hits(CALL_PATH).length, 1);
    });

    it('an already aborted signal sends nothing', async function () {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(client.dualCall(DUAL_CALL, { signal: ac.signal }), (e) => e.code === 'ABORTED');
      assert.strictEqual(hits(DUAL_PATH).length, 0);
    });

    it('abort cancels a backoff sleep', async function () {
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 503, retryAfter: 20 });
      const ac = new AbortController();
      const p = client.getCall(SAMPLE_CALL_ID, { signal: ac.signal });
      setTimeout(() => ac.abort(), 200);
      const t0 = Date.now();
      await assert.rejects(p, (e) => e.code === 'ABORTED');
      assert.ok(Date.now() - t0 < 10_000, 'did not sleep the 20 s');
      assert.strictEqual(hits(CALL_PATH).length, 1);
    });

    it('abort cancels the wait for a token', async function () {
      client.invalidateToken();
      sandbox.setLatency(300);
      const ac = new AbortController();
      const p = client.getCall(SAMPLE_CALL_ID, { signal: ac.signal });
      setTimeout(() => ac.abort(), 30);
      await assert.rejects(p, (e) => e.code === 'ABORTED');
      assert.strictEqual(hits(CALL_PATH).length, 0);
    });

    it('abortAll() aborts everything in flight; the client stays usable', async function () {
      sandbox.setLatency(300);
      const ps = [client.getCall(SAMPLE_CALL_ID), client.dualCall(DUAL_CALL), client.getCallAudio(SAMPLE_CALL_ID, {})];
      setTimeout(() => client.abortAll(), 50);
      const outcomes = await Promise.allSettled(ps);
      for (const o of outcomes) assert.strictEqual(o.status === 'rejected' && o.reason.code, 'ABORTED');
      sandbox.setLatency(0);
      const rec = await client.getCall(SAMPLE_CALL_ID);
      assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
    });
  });

  describe('no secret in any error', function () {
    let secrets;
    beforeEach(async function () {
      secrets = [await client.getToken(), DEMO_CREDENTIALS.appSecret, DEMO_CREDENTIALS.apiKey];
    });

    it('platform error', async function () {
      await assert.rejects(client.getCall(UNKNOWN_CALL_ID), (e) => {
        assertNoSecret(e, secrets);
        return true;
      });
    });

    it('platform error whose body quotes the token', async function () {
      sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 400, body: { errorCode: 400, errorMessage: `bad token ${secrets[0]} key ${secrets[2]}`, instanceId: 'x' } });
      await assert.rejects(client.getCall(SAMPLE_CALL_ID), (e) => {
        assert.strictEqual(e.code, '400');
        assertNoSecret(e, secrets);
        return true;
      });
    });

    it('platform error quoting the token in errorCode and instanceId (the code becomes a node status)', async function () {
      sandbox.failNext({ method: 'POST', path: DUAL_PATH }, { status: 400, body: { errorCode: `E-${secrets[0]}`, errorMessage: 'no', instanceId: `i-${secrets[1]}` } });
      await assert.rejects(client.dualCall(DUAL_CALL), (e) => {
        assert.strictEqual(e.code, 'E-***');
        assert.deepStrictEqual(e.platformAnswer(), { status: 400, errorCode: 'E-***', errorMessage: 'no', instanceId: 'i-***' });
        assertNoSecret(e, secrets);
        return true;
      });
    });

    it('HTTP error without a platform body', async function () {
      sandbox.failNext({ method: 'POST', path: DUAL_PATH }, { status: 502, body: `upstream ${secrets[0]}` });
      await assert.rejects(client.dualCall(DUAL_CALL), (e) => {
        assert.strictEqual(e.status, 502);
        assertNoSecret(e, secrets);
        return true;
      });
    });

    it('HTTP error whose text body is cut inside a secret (no part of it is shown)', async function () {
      // the message quotes the first 200 characters of a text body: here they end 12 characters into the token
      sandbox.failNext({ method: 'GET', path: UNKNOWN_CALL_PATH }, { status: 418, body: `${'x'.repeat(188)}${secrets[0]} tail` });
      await assert.rejects(client.getCall(UNKNOWN_CALL_ID), (e) => {
        assert.strictEqual(e.code, 'HTTP_418');
        assertNoSecret(e, [secrets[0].slice(0, 12)]);
        return true;
      });
    });

    it('network error (query token style, refused connection)', async function () {
      const url = sandbox.url;
      const other = await startSandbox({ port: 0, tokenStyles: ['query'] });
      const deadUrl = other.url;
      await other.close();
      const c = new WellcloudClient({ baseUrl: deadUrl, ...DEMO_CREDENTIALS, tokenStyle: 'query', retry: { baseDelayMs: 1 } });
      try {
        await assert.rejects(c.getCall(SAMPLE_CALL_ID), (e) => {
          assert.strictEqual(e.code, 'ECONNREFUSED');
          assertNoSecret(e, secrets);
          return true;
        });
      } finally {
        c.close();
      }
      assert.ok(url);
    });

    it('a platform quoting the credentials form-encoded or JSON-escaped (secrets with a space, ~, quote, backslash)', async function () {
      const creds = { appId: 'odd-app', appSecret: 'Se cr~et"1\\x', apiKey: "ke y(!)'2~z" };
      const sb = await startSandbox({ port: 0, credentials: creds });
      const c = new WellcloudClient({ baseUrl: sb.url, ...creds, retry: { baseDelayMs: 1 } });
      try {
        const token = await c.getToken();
        const forms = (v) => [v, encodeURIComponent(v), new URLSearchParams({ v }).toString().slice(2), JSON.stringify(v).slice(1, -1)];
        // what a gateway that echoes the request it refused would write
        const echo = `refused ${new URLSearchParams(creds)} ${JSON.stringify(creds)} token=${token}`;
        sb.failNext({ method: 'POST', path: DUAL_PATH }, { status: 400, body: { errorCode: 400, errorMessage: echo, exceptionName: echo, instanceId: 'x' } });
        sb.failNext({ method: 'GET', path: CALL_PATH }, { status: 418, body: echo });
        for (const call of [() => c.dualCall(DUAL_CALL), () => c.getCall(SAMPLE_CALL_ID)]) {
          await assert.rejects(call(), (e) => {
            assert.match(e.message, /refused/, 'the platform text is still shown');
            assertNoSecret(e, [token, creds.appSecret, creds.apiKey].flatMap(forms));
            return true;
          });
        }
      } finally {
        c.close();
        await sb.close();
      }
    });

    it('timeout and abort errors', async function () {
      sandbox.setLatency(200);
      await assert.rejects(client.dualCall(DUAL_CALL, { timeout: 30 }), (e) => {
        assert.strictEqual(e.code, 'ETIMEDOUT');
        assertNoSecret(e, secrets);
        return true;
      });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 20);
      await assert.rejects(client.getCall(SAMPLE_CALL_ID, { signal: ac.signal }), (e) => {
        assertNoSecret(e, secrets);
        return true;
      });
    });
  });
});
