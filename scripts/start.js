#!/usr/bin/env node
/*
 * npm start: the built-in sandbox on 127.0.0.1:8090, then a local Node-RED on
 * http://127.0.0.1:1880 with this package loaded and the live demo flow deployed.
 * Everything runs offline. Options (environment):
 *   WELLCLOUD_SANDBOX_PORT (8090)   NODE_RED_PORT (1880)   NODE_RED_USER_DIR (.node-red-data)
 *   WELLCLOUD_DEMO_RESET=1          deploy the demo flow again even if the user dir has flows (or --reset):
 *                                   its tab is put back as shipped, every other tab and config node is kept
 */
'use strict';
const fs = require('fs');
const path = require('path');
const http = require('http');
const net = require('net');
const { spawn } = require('child_process');

const root = path.join(__dirname, '..');
const sandboxPort = Number(process.env.WELLCLOUD_SANDBOX_PORT || 8090);
const redPort = Number(process.env.NODE_RED_PORT || 1880);
const userDir = path.resolve(root, process.env.NODE_RED_USER_DIR || '.node-red-data');
const reset = process.env.WELLCLOUD_DEMO_RESET === '1' || process.argv.includes('--reset');

function fail(text) {
  console.error(`\n[wellcloud] ${text}\n`);
  process.exit(1);
}

function demoFlowFile() {
  const dir = path.join(root, 'examples');
  const name = fs.existsSync(dir) && fs.readdirSync(dir).find((f) => /^live demo/i.test(f) && f.endsWith('.json'));
  if (!name) fail('examples/Live demo*.json is missing: the demo flow ships with the package.');
  return path.join(dir, name);
}

/**
 * The flows to deploy: the demo flow as shipped, and every node of `current` that is not part of it
 * (the user's other tabs, subflows and config nodes). Nodes on the demo's tab, or with one of the
 * demo's ids, give way to the demo; its config node points at `sandboxUrl`.
 */
function withDemo(current, demo, sandboxUrl) {
  const ids = new Set(demo.map((n) => n.id));
  const tabs = new Set(demo.filter((n) => n.type === 'tab').map((n) => n.id));
  const fresh = demo.map((n) => (n.type === 'wellcloud-config' ? { ...n, baseUrl: sandboxUrl } : n));
  return fresh.concat(current.filter((n) => !ids.has(n.id) && !tabs.has(n.z)));
}

function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      {
        host: '127.0.0.1',
        port: redPort,
        path: urlPath,
        method,
        headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    if (data) req.write(data);
    req.end();
  });
}

/** Whether nothing listens on 127.0.0.1:port yet (an own Node-RED on 1880 is common). */
function portFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function waitForNodeRed(child) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`Node-RED exited with code ${child.exitCode}.`);
    try {
      const r = await request('GET', '/flows');
      if (r.status === 200) return JSON.parse(r.text);
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  fail('Node-RED did not start within 60 s.');
}

async function main() {
  const distSandbox = path.join(root, 'dist', 'lib', 'sandbox', 'index.js');
  if (!fs.existsSync(distSandbox)) fail('dist/ is missing: run `npm install` (it builds the package) first.');
  const { startSandbox, DEMO_CREDENTIALS } = require(distSandbox);
  // Checked first: the admin API of whatever holds the port would answer, and get the demo flow
  if (!(await portFree(redPort))) {
    fail(`Port ${redPort} is already in use (another Node-RED?). Stop it, or set NODE_RED_PORT to another port, e.g. NODE_RED_PORT=1881 npm start.`);
  }

  let sandbox;
  try {
    sandbox = await startSandbox({
      port: sandboxPort,
      host: '127.0.0.1',
      subscriberUrl: `http://127.0.0.1:${redPort}/wellcloud/events`,
    });
  } catch (e) {
    fail(`The sandbox could not listen on 127.0.0.1:${sandboxPort} (${e.code || e.message}). Set WELLCLOUD_SANDBOX_PORT to another port.`);
  }
  console.log(`[wellcloud] sandbox listening on ${sandbox.url} (demo appId ${DEMO_CREDENTIALS.appId})`);

  fs.mkdirSync(userDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(__dirname, 'demo-settings.js'), '--port', String(redPort)],
    { stdio: 'inherit', env: { ...process.env, WELLCLOUD_PACKAGE_DIR: root } },
  );

  const stop = async (code) => {
    if (child.exitCode === null) child.kill('SIGINT');
    await sandbox.close().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  child.on('exit', (code) => stop(code === null ? 0 : code));

  const answer = await waitForNodeRed(child);
  const current = Array.isArray(answer) ? answer : Array.isArray(answer.flows) ? answer.flows : [];
  if (current.length === 0 || reset) {
    const flow = withDemo(current, JSON.parse(fs.readFileSync(demoFlowFile(), 'utf8')), sandbox.url);
    const r = await request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full' });
    if (r.status !== 200 && r.status !== 204) fail(`Deploying the demo flow failed: HTTP ${r.status} ${r.text}`);
    console.log('[wellcloud] demo flow deployed');
  }
  console.log(`\n[wellcloud] Ready: open http://127.0.0.1:${redPort}/ and press the inject button of the demo flow.\n`);
}

if (require.main === module) main().catch((e) => fail(e && e.stack ? e.stack : String(e)));

module.exports = { withDemo };
