'use strict';
/**
 * An embedded Node-RED for the bench: this package (nodesDir = repository root) and the bench's
 * own sink node (bench/nodes), an HTTP server on 127.0.0.1 (admin API under /admin, http-in
 * endpoints under /), a throw-away user directory. Flows are deployed through the admin API
 * (`POST /admin/flows`, full deployment), exactly as the editor does.
 *
 * Messages are injected with `node.receive(msg)` on the first node of the flow under test (no
 * extra wire hop) and collected by a `bench-sink` node, the same way for our nodes and for the
 * core-node baselines.
 */
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const bus = require('./bus');
const { removeAtExit, release } = require('./cleanup');
const { ROOT } = require('./paths');

/** Diagnostic: Node-RED delivers messages synchronously (WELLCLOUD_BENCH_SYNC_DELIVERY=1). */
const SYNC_DELIVERY = process.env.WELLCLOUD_BENCH_SYNC_DELIVERY === '1';

const DEPLOY_WAIT_MS = 10_000;

function adminRequest(port, method, urlPath, body, headers = {}) {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/admin${urlPath}`,
        method,
        agent: false,
        headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`admin ${method} ${urlPath}: timeout`)));
    if (data) req.write(data);
    req.end();
  });
}

/** Resolves at the runtime's next 'flows:started' event. */
function flowsStarted(RED) {
  return new Promise((resolve, reject) => {
    const events = RED.runtime.events;
    const timer = setTimeout(() => {
      events.off('flows:started', on);
      reject(new Error(`Node-RED: flows not started within ${DEPLOY_WAIT_MS} ms`));
    }, DEPLOY_WAIT_MS);
    const on = () => {
      clearTimeout(timer);
      events.off('flows:started', on);
      resolve();
    };
    events.on('flows:started', on);
  });
}

/** Starts Node-RED; resolves {RED, port, url, deploy(flow), node(id), stop()}. */
async function startRed() {
  const RED = require('node-red');
  const userDir = removeAtExit(fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-bench-red-')));
  const server = http.createServer((req, res) => {
    if (req.url === '/admin' || req.url.startsWith('/admin/')) {
      req.url = req.url.slice('/admin'.length) || '/';
      RED.httpAdmin(req, res, () => {
        res.statusCode = 404;
        res.end();
      });
      return;
    }
    RED.httpNode(req, res, () => {
      res.statusCode = 404;
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  const settings = {
    userDir,
    flowFile: 'flows.json',
    credentialSecret: 'wellcloud-bench',
    httpAdminRoot: '/admin',
    httpNodeRoot: '/',
    disableEditor: true,
    uiHost: '127.0.0.1',
    nodesDir: [ROOT, path.join(__dirname, '..', 'nodes')],
    fileWorkingDirectory: os.tmpdir(),
    editorTheme: { projects: { enabled: false }, tours: false },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
    externalModules: { palette: { allowInstall: false }, modules: { allowInstall: false } },
    functionExternalModules: false,
    logging: { console: { level: 'error', metrics: false, audit: false } },
    // diagnostic only (never for the table): Node-RED delivers messages without its setImmediate hop
    runtimeSyncDelivery: SYNC_DELIVERY,
  };
  RED.init(server, settings);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;
  // RED.start() resolves before the (empty) initial flows are loaded; a deployment racing that
  // load loses its credentials, so wait for it
  const initialStart = flowsStarted(RED);
  await RED.start();
  await initialStart;

  const missing = ['wellcloud-config', 'bench-sink'].filter((t) => !RED.nodes.getType(t));
  if (missing.length) throw new Error(`Node-RED did not load: ${missing.join(', ')} (was the package built?)`);

  return {
    RED,
    port,
    url: `http://127.0.0.1:${port}`,
    /** Full deployment of `flow` (array of nodes, credentials inline); resolves once every node exists. */
    async deploy(flow) {
      // the admin API answers before the flows have started
      const started = flowsStarted(RED);
      const r = await adminRequest(port, 'POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v1' });
      if (r.status !== 200 && r.status !== 204) throw new Error(`deploy failed: HTTP ${r.status} ${r.text}`);
      await started;
      const missing = flow.filter((n) => n.type !== 'tab' && n.type !== 'comment' && !RED.nodes.getNode(n.id)).map((n) => `${n.id} (${n.type})`);
      if (missing.length) throw new Error(`deploy: nodes not running: ${missing.join(', ')}`);
    },
    node(id) {
      const n = RED.nodes.getNode(id);
      if (!n) throw new Error(`no node ${id}`);
      return n;
    },
    async stop() {
      await RED.stop();
      await new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      release(userDir);
    },
  };
}

/**
 * Collects sink messages: `expect(tag, n)` resolves with the messages once `n` arrived on `tag`
 * (`onMessage(msg)` is called for each, so nothing needs to be kept).
 */
function sinkCollector() {
  return {
    wait(tag, count, onMessage, timeoutMs = 600_000) {
      return new Promise((resolve, reject) => {
        let got = 0;
        const on = (t, msg) => {
          if (t !== tag) return;
          got++;
          try {
            onMessage(msg, got);
          } catch (e) {
            done();
            reject(e);
            return;
          }
          if (got >= count) {
            done();
            resolve(got);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`sink ${tag}: ${got}/${count} messages within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          bus.off('sink', on);
        };
        bus.on('sink', on);
      });
    },
  };
}

module.exports = { startRed, sinkCollector, ROOT, SYNC_DELIVERY };
