'use strict';
/**
 * Parent side of the sandbox child process (sandbox-child.js) and a small HTTP client for its
 * /__sandbox/ controls, usable from any process that knows the sandbox URL.
 */
const { fork } = require('child_process');
const http = require('http');
const path = require('path');

const CHILD = path.join(__dirname, 'sandbox-child.js');
const START_TIMEOUT_MS = 60_000;

/** Starts the sandbox child; resolves with {url, stats(), close()}. */
function startSandboxProcess(opts = {}) {
  const child = fork(CHILD, [JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = [];
  child.on('message', (msg) => {
    const i = waiters.findIndex((w) => w.type === msg.type || msg.type === 'error');
    if (i >= 0) waiters.splice(i, 1)[0].resolve(msg);
  });
  const next = (type, timeoutMs) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sandbox child: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code) => reject(new Error(`sandbox child exited (${code}) before ${type}`));
      child.once('exit', onExit);
      waiters.push({
        type,
        resolve: (msg) => {
          clearTimeout(timer);
          child.off('exit', onExit);
          if (msg.type === 'error') reject(new Error(`sandbox child: ${msg.message}`));
          else resolve(msg);
        },
      });
    });
  return next('ready', START_TIMEOUT_MS).then(
    (ready) => ({
      url: ready.url,
      pid: child.pid,
      stats: () => {
        const p = next('stats', 10_000);
        child.send({ type: 'stats' });
        return p;
      },
      close: () =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.send({ type: 'close' });
        }),
    }),
    (e) => {
      if (child.exitCode === null) child.kill('SIGKILL');
      throw e;
    },
  );
}

/** One JSON request to the sandbox (controls or API); resolves {status, body}. */
function sandboxRequest(baseUrl, method, urlPath, body, headers = {}) {
  const u = new URL(urlPath, baseUrl);
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        agent: false,
        headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`sandbox ${method} ${urlPath}: timeout`)));
    if (data) req.write(data);
    req.end();
  });
}

async function control(baseUrl, method, urlPath, body) {
  const r = await sandboxRequest(baseUrl, method, urlPath, body);
  if (r.status < 200 || r.status >= 300) throw new Error(`sandbox ${method} ${urlPath}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const controls = (baseUrl) => ({
  state: () => control(baseUrl, 'GET', '/__sandbox/state'),
  tokenApplications: async () => (await control(baseUrl, 'GET', '/__sandbox/state')).tokenApplications,
  expireTokens: () => control(baseUrl, 'POST', '/__sandbox/expire-tokens'),
  setLatency: (ms) => control(baseUrl, 'POST', '/__sandbox/latency', { ms }),
  addRecording: (input) => control(baseUrl, 'POST', '/__sandbox/recordings', input),
  clearRequests: () => control(baseUrl, 'DELETE', '/__sandbox/requests'),
});

module.exports = { startSandboxProcess, sandboxRequest, controls };
