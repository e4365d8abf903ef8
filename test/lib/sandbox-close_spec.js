'use strict';
/*
 * The sandbox's lifecycle: close() leaves nothing behind (checked in a child process that
 * must exit by itself), onClose hooks, and the CLI.
 */
const assert = require('assert');
const path = require('path');
const { spawn } = require('child_process');

const DIST = path.join(__dirname, '..', '..', 'dist', 'lib', 'sandbox');

/** Runs node with `args`; resolves {code, signal, stdout, stderr, ms}; kills it after timeoutMs. */
function run(args, { timeoutMs = 8000, onStdout } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (onStdout) onStdout(stdout, child);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const CHILD = `
const { startSandbox, DEMO_CREDENTIALS, SAMPLE_CALL_ID } = require(${JSON.stringify(DIST)});
(async () => {
  const sb = await startSandbox({ callDurationMs: 60000, latencyMs: 5 });
  let hooked = false;
  sb.onClose(() => { hooked = true; });
  sb.onClose(() => { throw new Error('a failing hook does not block close'); });
  const apply = await fetch(sb.url + '/accesstoken/apply', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_CREDENTIALS) });
  const { token } = await apply.json();
  const h = { 'content-type': 'application/json', wellcloud_token: token };
  // a simulated call whose timers are pending, a fault with a pending delay, a stream half read
  await fetch(sb.url + '/api/ext/v2/calls/uc', { method: 'POST', headers: h, body: JSON.stringify({ deviceId: '8001@demo.cc', prefix: '9', customerPhone: '13912345678' }) });
  sb.failNext({ path: '/api/cdr/2.0/calls/open/call/' + SAMPLE_CALL_ID }, { status: 503, delayMs: 60000 });
  const hanging = fetch(sb.url + '/api/cdr/2.0/calls/open/call/' + SAMPLE_CALL_ID, { headers: h }).catch(() => 'aborted');
  sb.addRecording({ id: 'big', bytes: 200 * 1024 * 1024 });
  const big = await fetch(sb.url + '/api/cdr/2.0/recordings/open/recording/big/stream?isDownload=1&isWav=0', { headers: h });
  const reader = big.body.getReader();
  await reader.read();
  await sb.close();
  await sb.close(); // idempotent
  console.log('closed hooked=' + hooked + ' hanging=' + (await hanging));
  await reader.read().catch(() => undefined);
  setImmediate(() => {
    const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
    console.log('resources=' + JSON.stringify(left));
  });
})().catch((e) => { console.error(e); process.exit(2); });
`;

describe('sandbox lifecycle', function () {
  this.timeout(20000);

  it('close() runs the hooks, ends every socket and timer: the process exits by itself', async function () {
    const r = await run(['-e', CHILD], { timeoutMs: 10000 });
    assert.strictEqual(r.signal, null, `killed: the process did not exit by itself\n${r.stdout}\n${r.stderr}`);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /closed hooked=true hanging=aborted/);
    assert.ok(r.ms < 8000, `${r.ms} ms`);
  });

  it('the CLI prints the URL and the demo credentials, serves, and stops on SIGTERM', async function () {
    let url;
    let tokenStatus;
    const args = [path.join(DIST, 'cli.js'), '--port', '0', '--latency', '1', '--token-styles', 'json,query', '--push-url', 'http://127.0.0.1:9/x'];
    const r = await run(args, {
      onStdout: (out, child) => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (!m || url) return;
        url = m[1];
        const q = new URLSearchParams({ appId: 'demo-app-id', appSecret: 'demo-app-secret-0000', apiKey: 'demo-api-key-0000' });
        fetch(`${url}/accesstoken/apply?${q}`, { method: 'POST' })
          .then((res) => (tokenStatus = res.status))
          .finally(() => child.kill('SIGTERM'));
      },
    });
    assert.ok(url, r.stdout + r.stderr);
    assert.strictEqual(tokenStatus, 200, 'query style enabled by --token-styles');
    assert.match(r.stdout, /appId=demo-app-id appSecret=demo-app-secret-0000 apiKey=demo-api-key-0000/);
    assert.match(r.stdout, /http:\/\/127\.0\.0\.1:9\/x/);
    // the default window of generated calls ends with the year after the current one (China time)
    const nextYear = new Date(Date.now() + 8 * 3600e3).getUTCFullYear() + 1;
    assert.match(r.stdout, new RegExp(`generated calls: 40 a day from 2025-01-01 00:00:00 to (${nextYear}|${nextYear + 1})-12-31 23:59:59 \\(China time\\)`));
    assert.strictEqual(r.code, 0, r.stderr);
  });

  it('the CLI reports bad options', async function () {
    const bad = await run([path.join(DIST, 'cli.js'), '--nope']);
    assert.strictEqual(bad.code, 1);
    assert.match(bad.stderr, /unknown option --nope/);
    const help = await run([path.join(DIST, 'cli.js'), '--help']);
    assert.strictEqual(help.code, 0);
    assert.match(help.stdout, /--push-url/);
    assert.match(help.stdout, /--data-from <date> .*\(default 2025-01-01\)/);
    assert.match(help.stdout, /--data-to <date> .*\(default: 31 December of next year, China time\)/);
  });

  it('parses CLI arguments into options', function () {
    const { parseArgs } = require(path.join(DIST, 'cli.js'));
    assert.deepStrictEqual(parseArgs(['--port=0', '--token-ttl', '2', '--announce-ttl', '--token-styles', 'json,form', '--partition', 'day']), {
      port: 0, tokenTtlMs: 2000, announceTtl: true, tokenStyles: ['json', 'form'], partition: 'day',
    });
    assert.deepStrictEqual(parseArgs(['--data-from', '2025-06-01', '--data-to=2025-06-30 12:00:00']), {
      port: 8090, dataFrom: '2025-06-01', dataTo: '2025-06-30 12:00:00',
    });
    assert.throws(() => parseArgs(['--latency', 'x']), /--latency/);
    assert.throws(() => parseArgs(['--seed']), /needs a value/);
  });
});
