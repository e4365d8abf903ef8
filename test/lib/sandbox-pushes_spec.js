'use strict';
// lib/sandbox/pushes.ts: the sandbox POSTs callEnd / agentStateEvent to the subscriber URL with
// the platform's retry schedule (retry n, n units after failure n, 30 retries), compressed.
const assert = require('assert');
const http = require('http');
const { dist, sleep } = require('../helpers');

const { startSandbox, DEMO_CREDENTIALS } = dist('lib/sandbox');
const { attachPushes, pushesOf } = dist('lib/sandbox/pushes');
const { WellcloudClient } = dist('lib/client');

/**
 * A subscriber on 127.0.0.1 that records every delivery and answers with `plan(n)` for the n-th
 * request (1-based): a status code, or 'hang' (never answers).
 */
async function subscriber(plan = () => 200) {
  const sub = { hits: [], url: '' };
  const hanging = new Set();
  sub.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      sub.hits.push({ at: Date.now(), body, contentType: req.headers['content-type'] });
      const answer = plan(sub.hits.length);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'application/json' });
      res.end('{"result":"ok"}');
    });
  });
  await new Promise((r) => sub.server.listen(0, '127.0.0.1', r));
  sub.url = `http://127.0.0.1:${sub.server.address().port}/events`;
  sub.close = () =>
    new Promise((r) => {
      for (const res of hanging) res.destroy();
      sub.server.closeAllConnections();
      sub.server.close(r);
    });
  return sub;
}

function callEnd(serial) {
  return { eventName: 'callEnd', serial, timestamp: '2024.05.01 09:00:00.000', callId: `call-${serial}` };
}

describe('sandbox pushes', function () {
  let sb;
  let sub;
  afterEach(async () => {
    if (sb) await sb.close();
    if (sub) await sub.close();
    sb = undefined;
    sub = undefined;
  });

  async function start(tuning, plan, sandboxOpts = {}) {
    sub = await subscriber(plan);
    sb = await startSandbox({ pushes: false, subscriberUrl: sub.url, ...sandboxOpts });
    return attachPushes(sb, tuning);
  }

  it('POSTs each event as JSON to the subscriber, once when it answers 2xx', async () => {
    const pushes = await start({ pushRetryUnitMs: 5 });
    sb.events.emit('callEnd', callEnd(1));
    sb.events.emit('agentStateEvent', { eventName: 'agentStateEvent', serial: 2, id: '5001', acState: 'Aux' });
    await pushes.whenIdle();
    await sleep(30);
    assert.strictEqual(sub.hits.length, 2);
    assert.match(sub.hits[0].contentType, /^application\/json/);
    assert.deepStrictEqual(sub.hits.map((h) => h.body.serial).sort(), [1, 2]);
    assert.deepStrictEqual(pushes.log.map((r) => [r.eventName, r.state, r.attempts.length]), [
      ['callEnd', 'delivered', 1],
      ['agentStateEvent', 'delivered', 1],
    ]);
    assert.strictEqual(pushes.log[0].callId, 'call-1');
    assert.strictEqual(pushes.log[1].agent, '5001');
  });

  it('retries a failing subscriber on the platform schedule with the same serial, and stops after the 30th retry', async function () {
    this.timeout(15000);
    const unit = 4;
    const pushes = await start({ pushRetryUnitMs: unit }, () => 500);
    sb.events.emit('callEnd', callEnd(77));
    await pushes.whenIdle();
    await sleep(200); // nothing more comes
    assert.strictEqual(sub.hits.length, 31, 'first attempt + 30 retries');
    assert.ok(sub.hits.every((h) => h.body.serial === 77 && h.body.callId === 'call-77'));
    for (let n = 1; n < sub.hits.length; n++) {
      const gap = sub.hits[n].at - sub.hits[n - 1].at;
      assert.ok(gap >= n * unit - 2, `retry ${n} came ${gap} ms after failure ${n}, expected >= ${n * unit}`);
    }
    const rec = pushes.find('callEnd', 77)[0];
    assert.strictEqual(rec.state, 'failed');
    assert.strictEqual(rec.attempts.length, 31);
    assert.ok(rec.attempts.every((a) => a.status === 500 && a.ok === false));
    assert.strictEqual(rec.nextAttemptAt, undefined);
  });

  it('delivers once more to a subscriber that recovers, and no more after', async () => {
    const pushes = await start({ pushRetryUnitMs: 10 }, (n) => (n <= 3 ? 503 : 200));
    sb.events.emit('callEnd', callEnd(5));
    await pushes.whenIdle();
    await sleep(150);
    assert.strictEqual(sub.hits.length, 4);
    assert.ok(sub.hits.every((h) => h.body.serial === 5));
    const rec = pushes.find('callEnd', 5)[0];
    assert.strictEqual(rec.state, 'delivered');
    assert.deepStrictEqual(rec.attempts.map((a) => a.status), [503, 503, 503, 200]);
  });

  it('counts network errors and timeouts as failures', async () => {
    const pushes = await start({ pushRetryUnitMs: 5, pushMaxRetries: 2, pushTimeoutMs: 60 }, () => 'hang');
    sb.events.emit('callEnd', callEnd(9));
    await pushes.whenIdle();
    const rec = pushes.find('callEnd', 9)[0];
    assert.strictEqual(rec.state, 'failed');
    assert.deepStrictEqual(rec.attempts.map((a) => a.error), ['TIMEOUT', 'TIMEOUT', 'TIMEOUT']);

    const closedPort = await new Promise((resolve) => {
      const s = http.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = s.address().port;
        s.close(() => resolve(port));
      });
    });
    sb.setSubscriber(`http://127.0.0.1:${closedPort}/events`);
    sb.events.emit('callEnd', callEnd(10));
    await pushes.whenIdle();
    const refused = pushes.find('callEnd', 10)[0];
    assert.strictEqual(refused.state, 'failed');
    assert.deepStrictEqual(refused.attempts.map((a) => a.error), ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('clears every pending retry on close()', async () => {
    const pushes = await start({ pushRetryUnitMs: 200 }, () => 500);
    sb.events.emit('callEnd', callEnd(11));
    await sleep(60);
    assert.strictEqual(sub.hits.length, 1);
    assert.strictEqual(pushes.pending, 1);
    await sb.close();
    sb = undefined;
    assert.strictEqual(pushes.pending, 0);
    assert.strictEqual(pushes.find('callEnd', 11)[0].state, 'cancelled');
    await sleep(300);
    assert.strictEqual(sub.hits.length, 1, 'no retry after close');
  });

  it('leaves no connection to the subscriber open after close()', async () => {
    const pushes = await start({ pushRetryUnitMs: 5 });
    for (let i = 0; i < 3; i++) sb.events.emit('callEnd', callEnd(40 + i));
    await pushes.whenIdle();
    const open = () => new Promise((resolve, reject) => sub.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
    assert.ok((await open()) > 0, 'the deliveries kept their connections alive');
    await sb.close();
    // both ends use a 5 s keep-alive timeout: a connection still open after 1 s was left behind
    for (let i = 0; i < 100 && (await open()) > 0; i++) await sleep(10);
    assert.strictEqual(await open(), 0);
  });

  it('follows the subscriber URL set at run time over HTTP, and pushes nothing without one', async () => {
    const pushes = await start({ pushRetryUnitMs: 5 });
    const other = await subscriber();
    try {
      await post(sb.url, '/__sandbox/subscriber', { url: null });
      sb.events.emit('callEnd', callEnd(20));
      assert.strictEqual(pushes.log.length, 0);
      await post(sb.url, '/__sandbox/subscriber', { url: other.url });
      sb.events.emit('callEnd', callEnd(21));
      await pushes.whenIdle();
      await sleep(20);
      assert.strictEqual(sub.hits.length, 0);
      assert.deepStrictEqual(other.hits.map((h) => h.body.serial), [21]);
    } finally {
      await other.close();
    }
  });

  it('takes its tuning from the sandbox options', async () => {
    sub = await subscriber((n) => (n === 1 ? 500 : 200));
    sb = await startSandbox({ subscriberUrl: sub.url, pushRetryUnitMs: 30, pushMaxRetries: 1 });
    const pushes = pushesOf(sb);
    const started = Date.now();
    sb.events.emit('callEnd', callEnd(30));
    await pushes.whenIdle();
    assert.strictEqual(sub.hits.length, 2);
    assert.ok(sub.hits[1].at - sub.hits[0].at >= 28 && Date.now() - started < 2000);
    assert.strictEqual(pushes.find('callEnd', 30)[0].state, 'delivered');
  });

  it('is attached by startSandbox itself and pushes the callEnd of a simulated dual call', async () => {
    sub = await subscriber();
    sb = await startSandbox({ subscriberUrl: sub.url, callDurationMs: 150 });
    const pushes = pushesOf(sb);
    assert.ok(pushes, 'startSandbox attached the push module');
    const client = new WellcloudClient({ baseUrl: sb.url, ...DEMO_CREDENTIALS, timeout: 5000 });
    try {
      const { callId } = await client.dualCall({ deviceId: '8001@demo.cc', prefix: '9', customerPhone: '13800000000' });
      const deadline = Date.now() + 5000;
      while (!sub.hits.some((h) => h.body.eventName === 'callEnd') && Date.now() < deadline) await sleep(20);
      const ends = sub.hits.filter((h) => h.body.eventName === 'callEnd');
      assert.strictEqual(ends.length, 1);
      assert.strictEqual(ends[0].body.callId, callId);
      assert.ok(sub.hits.some((h) => h.body.eventName === 'agentStateEvent' && h.body.id === '5001'));
    } finally {
      client.close();
    }
  });
});

function post(base, path, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = http.request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}
