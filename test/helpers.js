'use strict';
// Shared test plumbing: a sandbox per suite and the node-red-node-test-helper set up once.
const fs = require('fs');
const path = require('path');
const helper = require('node-red-node-test-helper');

helper.init(require.resolve('node-red'));

const dist = (p) => require(path.join(__dirname, '..', 'dist', p));

/** Starts a sandbox for the suite (before/after hooks) and returns a getter. */
function useSandbox(opts = {}) {
  const state = {};
  before(async function () {
    const { startSandbox } = dist('lib/sandbox');
    state.sandbox = await startSandbox({ port: 0, host: '127.0.0.1', ...opts });
  });
  after(async function () {
    if (state.sandbox) await state.sandbox.close();
  });
  return () => state.sandbox;
}

/**
 * The life cycle every node suite shares: a sandbox, the test helper's server, and after each test
 * the flow unloaded and the sandbox's log, faults and latency reset. Returns the sandbox getter.
 */
function useNodeSuite(opts = {}) {
  const sandbox = useSandbox(opts);
  before(function (done) {
    helper.startServer(done);
  });
  after(function (done) {
    helper.stopServer(done);
  });
  afterEach(async function () {
    await helper.unload();
    const sb = sandbox();
    sb.clearRequests();
    sb.clearFaults();
    sb.setLatency(0);
  });
  return sandbox;
}

/** A wellcloud-config node pointing at the sandbox, with its credentials. */
function configNode(sandbox, extra = {}) {
  return { id: 'cfg', type: 'wellcloud-config', name: 'sandbox', baseUrl: sandbox.url, domain: 'demo.cc', tenantId: 'demo-tenant', timezone: 'Asia/Shanghai', timeout: 5000, tokenStyle: 'json', ...extra };
}

function demoCredentials(extra = {}) {
  const { DEMO_CREDENTIALS } = dist('lib/sandbox');
  return { cfg: { ...DEMO_CREDENTIALS, ...extra } };
}

/** Resolves with the next message a node receives. */
function nextMessage(node, timeoutMs = 8000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no message on ${node.id} within ${timeoutMs} ms`)), timeoutMs);
    node.once('input', (msg) => {
      clearTimeout(t);
      resolve(msg);
    });
  });
}

/** Resolves with `count` messages received by a node. */
function messages(node, count, timeoutMs = 8000) {
  return new Promise((resolve, reject) => {
    const got = [];
    const t = setTimeout(() => reject(new Error(`got ${got.length}/${count} messages on ${node.id}`)), timeoutMs);
    const on = (msg) => {
      got.push(msg);
      if (got.length === count) {
        clearTimeout(t);
        node.removeListener('input', on);
        resolve(got);
      }
    };
    node.on('input', on);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** How many descriptors of this process point at `file`. */
function openFds(file) {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/**
 * Collects a node's warnings, also those given while it is being stopped: the test helper stops
 * proxying node.warn (its `call:warn` events) as soon as an unload begins.
 */
function watchWarnings(node) {
  const warnings = [];
  const warn = node.warn;
  node.warn = function (m) {
    warnings.push(String(m));
    return warn.call(this, m);
  };
  return warnings;
}

/**
 * Sends `msg` into `node` while the sandbox answers only after `latencyMs`, stops the flow `afterMs`
 * later (helper.unload, as a redeploy does), waits `thenMs`, and resolves {sent, warnings}: how many
 * messages still reached the `watch` nodes, and the node's warnings.
 */
async function stopWhileRunning(sandbox, node, watch, { msg = { payload: {} }, latencyMs = 400, afterMs = 100, thenMs = 0 } = {}) {
  let sent = 0;
  for (const n of watch) n.on('input', () => sent++);
  const warnings = watchWarnings(node);
  sandbox.setLatency(latencyMs);
  try {
    node.receive(msg);
    await sleep(afterMs);
    await helper.unload();
    await sleep(thenMs);
  } finally {
    sandbox.setLatency(0);
  }
  return { sent, warnings };
}

/**
 * A node module whose RED._ also shows the values a text was given (`key {"detail":"…"}`): the test
 * helper's RED._ gives back the bare key, which hides what a status or warning says.
 */
function showingValues(nodeModule) {
  return (RED) => nodeModule(Object.assign(Object.create(RED), { _: (key, vars) => `${key} ${JSON.stringify(vars || {})}` }));
}

/**
 * Configures a Node-RED context store named `name` (settings.contextStorage) whose reads and/or
 * writes fail, as a store on a full disk or behind a lost database connection does. Load the
 * returned `loadStores` with the nodes under test (it opens the configured stores, as the runtime
 * does at start); `calls` counts what the store was asked; `restore()` goes back to the defaults.
 */
function failingContextStore(name, { get = true, set = true } = {}) {
  const calls = { get: 0, set: 0 };
  const offline = () => new Error(`context store ${name} is offline`);
  const store = {
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    get(scope, key, cb) {
      calls.get++;
      if (get) cb(offline());
      else cb(null, undefined);
    },
    set(scope, key, value, cb) {
      calls.set++;
      if (set) cb(offline());
      else cb(null);
    },
    keys: (scope, cb) => cb(null, []),
    delete: () => Promise.resolve(),
    clean: () => Promise.resolve(),
  };
  helper.settings({ contextStorage: { default: { module: 'memory' }, [name]: { module: () => store } } });
  return { loadStores: () => helper._context.load(), calls, restore: () => helper.settings({}) };
}

/** Every file below `dir`, as paths relative to it. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** Watches the process for what must never happen during a run: `seen` lists it; `stop()` ends the watch. */
function watchProcess() {
  const seen = [];
  const on = {
    uncaughtException: (e) => seen.push(`uncaughtException: ${e && e.stack}`),
    unhandledRejection: (e) => seen.push(`unhandledRejection: ${e && e.stack}`),
    warning: (w) => seen.push(`warning: ${w && w.name}: ${w && w.message}`),
  };
  for (const [ev, fn] of Object.entries(on)) process.on(ev, fn);
  return {
    seen,
    stop: () => {
      for (const [ev, fn] of Object.entries(on)) process.removeListener(ev, fn);
    },
  };
}

module.exports = { watchProcess, helper, dist, useSandbox, useNodeSuite, configNode, demoCredentials, nextMessage, messages, sleep, openFds, watchWarnings, stopWhileRunning, showingValues, failingContextStore, listFiles };
