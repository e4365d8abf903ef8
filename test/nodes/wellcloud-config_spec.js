'use strict';
const assert = require('assert');
const { helper, dist, useNodeSuite, configNode, demoCredentials, sleep } = require('../helpers');

const configModule = dist('nodes/wellcloud-config/wellcloud-config.js');

describe('wellcloud-config node', function () {
  const sandbox = useNodeSuite();

  it('loads with its properties and keeps credentials out of the flow', async () => {
    const flow = [configNode(sandbox(), { timezone: 'Europe/Berlin', timeout: '1234' })];
    await helper.load(configModule, flow, demoCredentials());
    const n = helper.getNode('cfg');
    assert.strictEqual(n.domain, 'demo.cc');
    assert.strictEqual(n.tenantId, 'demo-tenant');
    assert.strictEqual(n.timezone, 'Europe/Berlin');
    assert.strictEqual(n.timeout, 1234);
    assert.strictEqual(n.credentials.appId, dist('lib/sandbox').DEMO_CREDENTIALS.appId);
    assert.ok(!('appSecret' in flow[0]) && !('credentials' in flow[0]));
  });

  it('falls back to safe defaults for a bad time zone, timeout and token style', async () => {
    await helper.load(configModule, [configNode(sandbox(), { timezone: 'Mars/Base', timeout: 'x', tokenStyle: 'nope' })], demoCredentials());
    const n = helper.getNode('cfg');
    assert.strictEqual(n.timezone, 'Asia/Shanghai');
    assert.strictEqual(n.timeout, 30000);
  });

  it('a timeout longer than a timer can hold (2^31-1 ms) waits instead of failing every request at once', async () => {
    const warnings = [];
    const onWarning = (w) => warnings.push(w.name);
    process.on('warning', onWarning);
    sandbox().setLatency(30);
    try {
      await helper.load(configModule, [configNode(sandbox(), { timeout: '3000000000' })], demoCredentials());
      const client = helper.getNode('cfg').getClient();
      const { SAMPLE_CALL_ID } = dist('lib/sandbox');
      assert.strictEqual((await client.getCall(SAMPLE_CALL_ID)).callId, SAMPLE_CALL_ID);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      assert.ok(!warnings.includes('TimeoutOverflowWarning'), warnings.join());
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('shares one client, so concurrent users trigger one token application', async () => {
    await helper.load(configModule, [configNode(sandbox())], demoCredentials());
    const n = helper.getNode('cfg');
    assert.strictEqual(n.getClient(), n.getClient());
    const before = sandbox().tokenApplications;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => n.getClient().getToken()));
    assert.strictEqual(sandbox().tokenApplications - before, 1);
    assert.strictEqual(new Set(tokens).size, 1);
  });

  it('closes its client on redeploy: a token wait in flight is cancelled', async () => {
    sandbox().setLatency(1500);
    try {
      await helper.load(configModule, [configNode(sandbox())], demoCredentials());
      const n = helper.getNode('cfg');
      const pending = n.getClient().getToken().then(
        () => 'resolved',
        (e) => e.code,
      );
      await sleep(100);
      await helper.unload();
      assert.strictEqual(await pending, 'ABORTED');
    } finally {
      sandbox().setLatency(0);
    }
  });

  it('after its close, hands out only a closed client: nothing is sent', async () => {
    const { SAMPLE_CALL_ID } = dist('lib/sandbox');
    for (const usedBefore of [false, true]) {
      await helper.load(configModule, [configNode(sandbox())], demoCredentials());
      const n = helper.getNode('cfg');
      if (usedBefore) await n.getClient().getToken();
      await helper.unload();
      const before = sandbox().requests.length;
      await assert.rejects(n.getClient().getCall(SAMPLE_CALL_ID), (e) => e.code === 'ABORTED');
      assert.strictEqual(sandbox().requests.length, before, `a request was sent (used before: ${usedBefore})`);
    }
  });

  describe('Test connection (POST /wellcloud-config/test)', () => {
    it('succeeds with the values of an unsaved dialog', async () => {
      await helper.load(configModule, [], {});
      const { DEMO_CREDENTIALS } = dist('lib/sandbox');
      const res = await helper.request().post('/wellcloud-config/test').send({ baseUrl: sandbox().url, tokenStyle: 'json', timeout: 5000, ...DEMO_CREDENTIALS }).expect(200);
      assert.strictEqual(res.body.ok, true, JSON.stringify(res.body));
      assert.ok(!Number.isNaN(Date.parse(res.body.expiresAt)));
      const text = JSON.stringify(res.body);
      for (const s of Object.values(DEMO_CREDENTIALS).slice(1)) assert.ok(!text.includes(s), 'a secret was echoed');
      assert.ok(!sandbox().issuedTokens().some((t) => text.includes(t)), 'the token was echoed');
    });

    it('reports the platform error for wrong credentials, without echoing them', async () => {
      await helper.load(configModule, [], {});
      const res = await helper.request().post('/wellcloud-config/test').send({ baseUrl: sandbox().url, appId: 'demo-app-id', appSecret: 'wrong-secret-value', apiKey: 'wrong-api-key-value' }).expect(200);
      assert.strictEqual(res.body.ok, false);
      assert.ok(res.body.code, 'has a code');
      assert.ok(res.body.message.length > 0);
      assert.ok(!JSON.stringify(res.body).includes('wrong-secret-value'));
      assert.ok(!JSON.stringify(res.body).includes('wrong-api-key-value'));
    });

    it('names the missing credential and sends nothing', async () => {
      await helper.load(configModule, [], {});
      const before = sandbox().tokenApplications;
      const res = await helper.request().post('/wellcloud-config/test').send({ baseUrl: sandbox().url, appId: 'a', appSecret: '', apiKey: 'k' }).expect(200);
      assert.strictEqual(res.body.ok, false);
      assert.strictEqual(res.body.code, 'INVALID_INPUT');
      assert.match(res.body.message, /appSecret/);
      assert.strictEqual(sandbox().tokenApplications, before);
    });

    it('names an appSecret under 4 characters and sends nothing', async () => {
      await helper.load(configModule, [], {});
      const before = sandbox().tokenApplications;
      const res = await helper.request().post('/wellcloud-config/test').send({ baseUrl: sandbox().url, appId: 'a', appSecret: 'xyz', apiKey: 'k-1234' }).expect(200);
      assert.strictEqual(res.body.ok, false);
      assert.strictEqual(res.body.code, 'INVALID_INPUT');
      assert.match(res.body.message, /appSecret has 3 characters/);
      assert.strictEqual(sandbox().tokenApplications, before);
    });

    it('answers a request without a JSON body (nothing filled in) naming the first missing credential, before any request', async () => {
      // no base URL either: it would be the real platform's, so a network code here would mean something was sent
      await helper.load(configModule, [], {});
      for (const send of [(r) => r, (r) => r.set('Content-Type', 'text/plain').send('appId=a')]) {
        const res = await send(helper.request().post('/wellcloud-config/test')).expect(200);
        assert.strictEqual(res.body.ok, false, JSON.stringify(res.body));
        assert.strictEqual(res.body.code, 'INVALID_INPUT');
        assert.match(res.body.message, /appId/);
      }
    });

    it('reports an unreachable platform with the network code', async () => {
      await helper.load(configModule, [], {});
      const res = await helper.request().post('/wellcloud-config/test').send({ baseUrl: 'http://127.0.0.1:9', appId: 'a', appSecret: 's-1234', apiKey: 'k-1234', timeout: 2000 }).expect(200);
      assert.strictEqual(res.body.ok, false);
      assert.strictEqual(res.body.code, 'ECONNREFUSED');
    });

    it('uses the saved secrets when the dialog still shows the placeholder', async () => {
      await helper.load(configModule, [configNode(sandbox())], demoCredentials());
      const res = await helper.request().post('/wellcloud-config/test').send({ id: 'cfg', baseUrl: sandbox().url, appId: 'demo-app-id', appSecret: '__PWRD__', apiKey: '__PWRD__' }).expect(200);
      assert.strictEqual(res.body.ok, true, JSON.stringify(res.body));
    });

    it('never sends saved secrets to another address', async () => {
      const other = await dist('lib/sandbox').startSandbox({ port: 0 });
      try {
        await helper.load(configModule, [configNode(sandbox())], demoCredentials());
        const res = await helper.request().post('/wellcloud-config/test').send({ id: 'cfg', baseUrl: other.url, appId: 'demo-app-id', appSecret: '__PWRD__', apiKey: '__PWRD__' }).expect(200);
        assert.strictEqual(res.body.ok, false);
        assert.strictEqual(res.body.code, 'INVALID_INPUT');
        assert.strictEqual(other.tokenApplications, 0);
      } finally {
        await other.close();
      }
    });
  });
});
