'use strict';
/**
 * Dual call and CDR-by-call at concurrency 16, four ways in the same process against the same
 * sandbox (child process), rounds interleaved so drift hits every variant alike:
 *   lib   the lib/ client called directly (WellcloudClient.dualCall / getCall)
 *   node  our node in the embedded Node-RED (wellcloud-dual-call / wellcloud-cdr operation call)
 *   core  core nodes doing the same call: change (token header) -> http request -> json,
 *         with connection keep-alive ticked (the best a user can build by hand)
 *   bare  (for reading the others) the thinnest node around the same lib client
 *         (bench/nodes/bench-io.js, bench-lib-call): what crossing Node-RED costs any node
 * Targets: node >= 90 % of lib throughput and <= 0.3 ms added median latency; node >= 1.0x core.
 */
const { closedLoop, redCaller } = require('../lib/driver');
const { startRed, SYNC_DELIVERY } = require('../lib/red');
const { median, round } = require('../lib/stats');
const flows = require('../lib/flows');

const CONCURRENCY = 16;
const DUAL_CALL_BODY = { deviceId: '8001@demo.cc', prefix: '9', customerPhone: '13800138000' };

const OPS = {
  dualCall: {
    label: 'dual call',
    nodeFlow: (cfg) => ({ id: 'op-node', type: 'wellcloud-dual-call', z: flows.TAB, name: '', server: cfg, cpa: '', x: 300, y: 40, wires: [['op-node-sink']] }),
    coreFlow: (sandboxUrl, token) => coreFlow('POST', `${sandboxUrl}/api/ext/v2/calls/uc`, token),
    payload: () => ({ ...DUAL_CALL_BODY }),
    lib: (client) => client.dualCall({ ...DUAL_CALL_BODY }),
    check: (result) => typeof result.callId === 'string' && result.callId.length > 0,
  },
  getCall: {
    label: 'CDR by call',
    nodeFlow: (cfg) => ({ id: 'op-node', type: 'wellcloud-cdr', z: flows.TAB, name: '', server: cfg, operation: 'call', outputMode: 'all', x: 300, y: 40, wires: [['op-node-sink']] }),
    coreFlow: (sandboxUrl, token) => coreFlow('GET', `${sandboxUrl}/api/cdr/2.0/calls/open/call/{{{payload.callId}}}`, token),
    payload: (ids, i) => ({ callId: ids[i % ids.length] }),
    lib: (client, ids, i) => client.getCall(ids[i % ids.length]),
    check: (result) => typeof result.callId === 'string' && result.callId.length > 0,
  },
};

/** change (headers with the token) -> http request (keep-alive) -> json -> sink. */
function coreFlow(method, url, token) {
  const headers = JSON.stringify({ wellcloud_token: token, Accept: 'application/json' });
  return [
    {
      id: 'op-core',
      type: 'change',
      z: flows.TAB,
      name: 'token header',
      rules: [{ t: 'set', p: 'headers', pt: 'msg', to: headers, tot: 'json' }],
      x: 200,
      y: 120,
      wires: [['op-core-http']],
    },
    {
      id: 'op-core-http',
      type: 'http request',
      z: flows.TAB,
      name: '',
      method,
      ret: 'txt',
      paytoqs: 'ignore',
      url,
      tls: '',
      persist: true,
      proxy: '',
      insecureHTTPParser: false,
      authType: '',
      senderr: false,
      headers: [],
      x: 380,
      y: 120,
      wires: [['op-core-json']],
    },
    { id: 'op-core-json', type: 'json', z: flows.TAB, name: '', property: 'payload', action: 'obj', pretty: false, x: 520, y: 120, wires: [['op-core-sink']] },
    flows.sink('op-core-sink', 'core'),
  ];
}

/** Seeded callIds of one day (from the sandbox's own range query). */
async function seededCallIds(client) {
  const page = await client.queryCalls({ beginTime: '2025-06-03 00:00:00', endTime: '2025-06-03 23:59:59', isOrder: 1, domain: flows.DEMO_DOMAIN, p: 1, s: 100 });
  const ids = page.list.map((r) => r.callId);
  if (ids.length < 10) throw new Error(`expected seeded calls on 2025-06-03, got ${ids.length}`);
  return ids;
}

function variants(op, client, nodeCaller, coreCaller, bareCaller, ids) {
  const checked = (p) =>
    p.then((r) => {
      if (!op.check(r)) throw new Error(`unexpected result ${JSON.stringify(r).slice(0, 200)}`);
    });
  return {
    lib: (i) => checked(op.lib(client, ids, i)),
    node: (i) => checked(nodeCaller.call(op.payload(ids, i)).then((m) => m.payload)),
    bare: (i) => checked(bareCaller.call(op.payload(ids, i)).then((m) => m.payload)),
    core: (i) =>
      checked(
        coreCaller.call(op.payload(ids, i)).then((m) => {
          if (m.statusCode !== 200) throw new Error(`core flow: HTTP ${m.statusCode}`);
          return m.payload;
        }),
      ),
  };
}

async function runOp(red, sandboxUrl, opName, settings, token, client, ids) {
  const op = OPS[opName];
  const bareNode = { id: 'op-bare', type: 'bench-lib-call', z: flows.TAB, name: '', server: 'bench-cfg', op: opName, x: 300, y: 200, wires: [['op-bare-sink']] };
  await red.deploy([
    flows.tab(),
    flows.configNode(sandboxUrl),
    op.nodeFlow('bench-cfg'),
    flows.sink('op-node-sink', 'node'),
    ...op.coreFlow(sandboxUrl, token),
    bareNode,
    flows.sink('op-bare-sink', 'bare'),
    ...flows.catchAll(),
  ]);
  const nodeCaller = redCaller(red, 'op-node', { okTag: 'node' });
  const coreCaller = redCaller(red, 'op-core', { okTag: 'core' });
  const bareCaller = redCaller(red, 'op-bare', { okTag: 'bare' });
  try {
    const run = variants(op, client, nodeCaller, coreCaller, bareCaller, ids);
    const names = Object.keys(run);
    const loop = (n, count, concurrency) => closedLoop({ count, concurrency, op: run[n], completesOnNewTurn: n !== 'lib' && !SYNC_DELIVERY });
    // warm-up: token, keep-alive sockets, JIT
    for (const n of names) await loop(n, settings.warmup, CONCURRENCY);
    const rounds = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < settings.rounds; r++) {
      const order = names.map((_, k) => names[(k + r) % names.length]);
      for (const n of order) rounds[n].push(await loop(n, settings.count, CONCURRENCY));
    }
    return { ...summarise(op.label, rounds), atConcurrency1: await overheadAlone(loop, settings) };
  } finally {
    nodeCaller.dispose();
    coreCaller.dispose();
    bareCaller.dispose();
  }
}

/**
 * For reading the latency target: the same calls one at a time (no queueing in this process),
 * so node - lib is the node's own added latency. Informative; the target uses concurrency 16.
 */
async function overheadAlone(loop, settings) {
  const lib = [];
  const node = [];
  for (let r = 0; r < settings.rounds; r++) {
    lib.push((await loop('lib', settings.alone, 1)).latency.median);
    node.push((await loop('node', settings.alone, 1)).latency.median);
  }
  return { libMedianMs: round(median(lib), 3), nodeMedianMs: round(median(node), 3), addedMs: round(median(node.map((n, i) => n - lib[i])), 3) };
}

/**
 * Medians over the rounds. The ratios are medians of per-round ratios: the variants of a round run
 * back to back, so a burst of load from elsewhere on the machine hits a round, not a variant.
 */
function summarise(label, rounds) {
  const perVariant = {};
  for (const [n, rs] of Object.entries(rounds)) {
    perVariant[n] = {
      perSecond: round(median(rs.map((r) => r.perSecond)), 0),
      medianLatencyMs: round(median(rs.map((r) => r.latency.median)), 3),
      medianServiceLatencyMs: round(median(rs.map((r) => r.serviceLatency.median)), 3),
      p99LatencyMs: round(median(rs.map((r) => r.latency.p99)), 3),
      cpuUsPerRequest: round(median(rs.map((r) => r.cpuUsPerOp)), 0),
      rounds: rs.map((r) => round(r.perSecond, 0)),
    };
  }
  const paired = (a, b, f) => median(rounds[a].map((r, i) => f(r, rounds[b][i])));
  const { lib, node, core } = perVariant;
  const addedLatency = (a, b) => round(paired(a, b, (x, y) => x.latency.median - y.latency.median), 3);
  return {
    label,
    variants: perVariant,
    nodeVsLib: round(paired('node', 'lib', (n, l) => n.perSecond / l.perSecond), 3),
    addedMedianLatencyMs: addedLatency('node', 'lib'),
    // from the op's first line instead (see bench/lib/driver.js): the lib's wait to start left out
    addedMedianServiceLatencyMs: round(paired('node', 'lib', (n, l) => n.serviceLatency.median - l.serviceLatency.median), 3),
    // the same difference split at the bare node: Node-RED's share, and our node's own
    bareAddedMedianLatencyMs: addedLatency('bare', 'lib'),
    nodeOverBareMedianLatencyMs: addedLatency('node', 'bare'),
    nodeVsBare: round(paired('node', 'bare', (n, b) => n.perSecond / b.perSecond), 3),
    nodeVsCore: round(paired('node', 'core', (n, c) => n.perSecond / c.perSecond), 3),
    addedCpuUsPerRequest: round(node.cpuUsPerRequest - lib.cpuUsPerRequest, 0),
    cpuNodeVsCore: round(core.cpuUsPerRequest / node.cpuUsPerRequest, 3),
  };
}

async function run(ctx) {
  const { WellcloudClient } = flows.dist('lib/client');
  const settings = ctx.quick ? { warmup: 200, count: 500, rounds: 3, alone: 100 } : { warmup: 1000, count: 3000, rounds: 9, alone: 300 };
  if (ctx.rounds) settings.rounds = ctx.rounds;
  const client = new WellcloudClient(flows.clientOptions(ctx.sandboxUrl));
  const red = await startRed();
  try {
    const token = await client.getToken();
    const ids = await seededCallIds(client);
    const out = {};
    for (const opName of Object.keys(OPS)) out[opName] = await runOp(red, ctx.sandboxUrl, opName, settings, token, client, ids);
    return { concurrency: CONCURRENCY, requestsPerRound: settings.count, rounds: settings.rounds, ops: out };
  } finally {
    client.close();
    await red.stop();
  }
}

module.exports = { run };
