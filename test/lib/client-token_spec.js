'use strict';
/**
 * Token behaviour against the sandbox: single-flight application, renewal before expiry,
 * one renewal and one repeat after a 401, token styles.
 */
const assert = require('assert');
const sandboxLib = require('../../dist/lib/sandbox');
const { WellcloudClient } = require('../../dist/lib/client');

const { startSandbox, DEMO_CREDENTIALS } = sandboxLib;
const SAMPLE_CALL_ID = sandboxLib.SAMPLE_CALL_ID || 'e617caaf-1fc6-4998-a8a8-c9313fefde38';
const DOMAIN = sandboxLib.DEMO_DOMAIN || 'demo.cc';
const CALL_PATH = `/api/cdr/2.0/calls/open/call/${SAMPLE_CALL_ID}`;
const DUAL_CALL = { deviceId: `8001@${DOMAIN}`, prefix: '9', customerPhone: '13912345678' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('lib/client token manager against the sandbox', function () {
  let sandbox;
  let client;

  afterEach(async function () {
    if (client) client.close();
    client = undefined;
    if (sandbox) await sandbox.close();
    sandbox = undefined;
  });

  async function setup(sandboxOpts = {}, clientOpts = {}) {
    sandbox = await startSandbox({ port: 0, ...sandboxOpts });
    client = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, retry: { baseDelayMs: 5 }, ...clientOpts });
    return client;
  }

  const callRequests = () => sandbox.requests.filter((r) => r.path === CALL_PATH);

  it('applies once for 50 concurrent calls (single-flight)', async function () {
    await setup({ latencyMs: 30 });
    const results = await Promise.all(Array.from({ length: 50 }, () => client.getCall(SAMPLE_CALL_ID)));
    assert.strictEqual(results.length, 50);
    assert.strictEqual(sandbox.tokenApplications, 1);
    const tokens = new Set(callRequests().map((r) => r.headers.wellcloud_token));
    assert.strictEqual(tokens.size, 1);
  });

  it('rejects every waiter when the one application fails, and tries again on the next call', async function () {
    await setup({}, { appSecret: 'not-the-secret' });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => client.getCall(SAMPLE_CALL_ID)));
    assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason.code === '401'));
    assert.strictEqual(sandbox.tokenApplications, 1);
    await assert.rejects(client.getCall(SAMPLE_CALL_ID));
    assert.strictEqual(sandbox.tokenApplications, 2);
    assert.strictEqual(callRequests().length, 0);
  });

  it('refuses an appSecret or apiKey under 4 characters before sending anything, naming the field, in en-US and zh-CN', async function () {
    // the Redactor leaves secrets that short in logs and errors (it would blank ordinary text with them)
    for (const [field, value, lang, text] of [
      ['appSecret', 'abc', 'en-US', /appSecret has 3 characters: a secret under 4 characters/],
      ['apiKey', 'k', 'zh-CN', /apiKey 只有 1 个字符：少于 4 个字符的密钥/],
    ]) {
      if (client) client.close();
      if (sandbox) await sandbox.close();
      await setup({}, { [field]: value, lang });
      await assert.rejects(client.getCall(SAMPLE_CALL_ID), (e) => {
        assert.strictEqual(e.code, 'INVALID_INPUT');
        assert.strictEqual(e.field, field);
        assert.match(e.message, text);
        return true;
      });
      assert.strictEqual(sandbox.tokenApplications, 0);
      assert.strictEqual(sandbox.requests.length, 0);
    }
    // four characters are enough: the application goes out (and the sandbox answers it)
    if (client) client.close();
    await sandbox.close();
    await setup({}, { appSecret: 'abcd' });
    await assert.rejects(client.getCall(SAMPLE_CALL_ID), (e) => e.code === '401');
    assert.strictEqual(sandbox.tokenApplications, 1);
  });

  it('renews before the announced expiry, without a 401', async function () {
    await setup({ tokenTtlMs: 2000, announceTtl: true }, { renewMarginMs: 60_000 });
    // margin is capped at half the lifetime: renewal is due after ~1 s
    const first = await client.getToken();
    await client.getCall(SAMPLE_CALL_ID);
    assert.strictEqual(sandbox.tokenApplications, 1);
    await sleep(1200);
    await client.getCall(SAMPLE_CALL_ID);
    assert.strictEqual(sandbox.tokenApplications, 2);
    const second = await client.getToken();
    assert.notStrictEqual(second, first);
    assert.ok(sandbox.requests.every((r) => r.status !== 401), 'no request got a 401');
  });

  it('keeps using a token still valid when its early renewal fails, and renews on a later call', async function () {
    await setup({ tokenTtlMs: 1000, announceTtl: true }, { renewMarginMs: 60_000 });
    // margin capped at half the lifetime: renewal is due after ~0.5 s, the token lasts 1 s
    const first = await client.getToken();
    await sleep(600);
    sandbox.failNext({ method: 'POST', path: '/accesstoken/apply' }, { status: 503 });
    const record = await client.getCall(SAMPLE_CALL_ID);
    assert.strictEqual(record.callId, SAMPLE_CALL_ID);
    assert.strictEqual(sandbox.tokenApplications, 2, 'the renewal was tried');
    assert.deepStrictEqual(callRequests().map((r) => [r.headers.wellcloud_token === first, r.status]), [[true, 200]]);
    await client.getCall(SAMPLE_CALL_ID);
    assert.strictEqual(sandbox.tokenApplications, 3, 'tried again on the next call');
    assert.strictEqual(callRequests()[1].headers.wellcloud_token === first, false);
  });

  it('after expireTokens(): one 401, one renewal, one repeat', async function () {
    await setup();
    await client.getCall(SAMPLE_CALL_ID);
    sandbox.expireTokens();
    sandbox.clearRequests();
    const rec = await client.getCall(SAMPLE_CALL_ID);
    assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
    assert.strictEqual(sandbox.tokenApplications, 2);
    const calls = callRequests();
    assert.strictEqual(calls.length, 2);
    assert.strictEqual(calls[0].status, 401);
    assert.strictEqual(calls[1].status, 200);
    assert.notStrictEqual(calls[0].headers.wellcloud_token, calls[1].headers.wellcloud_token);
  });

  it('repeats a POST (dual call) once after a 401 renewal', async function () {
    await setup();
    await client.getToken();
    sandbox.expireTokens();
    const res = await client.dualCall(DUAL_CALL);
    assert.ok(res.callId);
    const posts = sandbox.requests.filter((r) => r.path === '/api/ext/v2/calls/uc');
    assert.deepStrictEqual(posts.map((r) => r.status), [401, 200]);
  });

  it('shares one renewal between concurrent 401s', async function () {
    await setup({ latencyMs: 20 });
    await client.getToken();
    sandbox.expireTokens();
    await Promise.all(Array.from({ length: 20 }, () => client.getCall(SAMPLE_CALL_ID)));
    assert.strictEqual(sandbox.tokenApplications, 2);
  });

  it('returns a second 401 as the error (one renewal, no loop)', async function () {
    await setup();
    await client.getToken();
    sandbox.failNext({ method: 'GET', path: CALL_PATH }, { status: 401, times: 2 });
    await assert.rejects(client.getCall(SAMPLE_CALL_ID), (e) => {
      assert.ok(e.code === '401' || e.code === 'HTTP_401', e.code);
      assert.strictEqual(e.status, 401);
      assert.match(e.message, /token is invalid or expired/);
      return true;
    });
    assert.strictEqual(callRequests().length, 2);
    assert.strictEqual(sandbox.tokenApplications, 2);
  });

  it('applies anew after invalidateToken()', async function () {
    await setup();
    await client.getCall(SAMPLE_CALL_ID);
    client.invalidateToken();
    await client.getCall(SAMPLE_CALL_ID);
    assert.strictEqual(sandbox.tokenApplications, 2);
  });

  for (const style of ['query', 'form']) {
    it(`applies with tokenStyle ${style} against a sandbox accepting only ${style}`, async function () {
      await setup({ tokenStyles: [style] }, { tokenStyle: style });
      const rec = await client.getCall(SAMPLE_CALL_ID);
      assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
      const apply = sandbox.requests.find((r) => r.path === '/accesstoken/apply');
      assert.strictEqual(apply.method, 'POST');
      if (style === 'query') assert.deepStrictEqual(apply.query, { ...DEMO_CREDENTIALS });
      else assert.deepStrictEqual({ ...apply.body }, { ...DEMO_CREDENTIALS });
    });
  }

  it('fails clearly when the style does not match the deployment', async function () {
    await setup({ tokenStyles: ['query'] }, { tokenStyle: 'json' });
    await assert.rejects(client.getToken(), (e) => {
      assert.strictEqual(e.code, '400');
      assert.match(e.message, /rejected the token application \(HTTP 400\)\. Check .* token style/);
      assert.match(e.message, / — platform: /);
      return true;
    });
  });

  it('aborting one waiter does not cancel the shared application for the others', async function () {
    await setup({ latencyMs: 150 });
    const ac = new AbortController();
    const aborted = client.getCall(SAMPLE_CALL_ID, { signal: ac.signal });
    const other = client.getCall(SAMPLE_CALL_ID);
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(aborted, (e) => e.code === 'ABORTED');
    const rec = await other;
    assert.strictEqual(rec.callId, SAMPLE_CALL_ID);
    assert.strictEqual(sandbox.tokenApplications, 1);
  });
});
