'use strict';
/**
 * Dual call and CDR-by-call at concurrency 16, four ways against the same sandbox (child
 * process). Each variant runs in its own process (bench/lib/variant.js), all four alike: an
 * embedded Node-RED running the same flow; rounds interleaved in a Williams order so drift and
 * order hit every variant alike:
 *   lib   the lib/ client called directly (WellcloudClient.dualCall / getCall)
 *   node  our node in the embedded Node-RED (wellcloud-dual-call / wellcloud-cdr operation call)
 *   core  core nodes doing the same call: change (token header) -> http request -> json,
 *         with connection keep-alive ticked (the best a user can build by hand)
 *   bare  (for reading the others) the thinnest node around the same lib client
 *         (bench/nodes/bench-io.js, bench-lib-call): what crossing Node-RED costs any node
 * Targets: node >= 90 % of lib throughput and <= 0.3 ms added median latency; node >= 1.0x core.
 */
const { redCaller } = require('../lib/driver');
const { startVariant } = require('../lib/variant');
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

/**
 * Diagnostic (WELLCLOUD_BENCH_AA=1, never for the table): a second lib process, `lib2`, measured
 * like the others. lib2 vs lib is an A/A comparison: two identical processes, so whatever it
 * shows is the bench's own spread (JIT luck of a process, the machine), not a difference of code.
 */
const AA = process.env.WELLCLOUD_BENCH_AA === '1';
const VARIANTS = AA ? ['lib', 'node', 'bare', 'core', 'lib2'] : ['lib', 'node', 'bare', 'core'];

/** Every variant's process deploys this same flow (all variants' nodes), and drives only its own. */
function fullFlow(op, opName, sandboxUrl, token) {
  return [
    flows.tab(),
    flows.configNode(sandboxUrl),
    op.nodeFlow('bench-cfg'),
    flows.sink('op-node-sink', 'node'),
    { id: 'op-bare', type: 'bench-lib-call', z: flows.TAB, name: '', server: 'bench-cfg', op: opName, x: 300, y: 200, wires: [['op-bare-sink']] },
    flows.sink('op-bare-sink', 'bare'),
    ...op.coreFlow(sandboxUrl, token),
    ...flows.catchAll(),
  ];
}

/**
 * Sets up one variant inside its own process (bench/lib/variant-child.js). Every variant's
 * process is the same: an embedded Node-RED running the same flow, so the lib baseline runs in
 * the environment the node runs in (heap size, loaded code) and only the path of a request
 * differs. Resolves {op(i), completesOnNewTurn, close()}.
 */
async function setupVariant({ opName, variant, sandboxUrl, token, ids }) {
  const op = OPS[opName];
  const check = (r) => {
    if (!op.check(r)) throw new Error(`unexpected result ${JSON.stringify(r).slice(0, 200)}`);
  };
  const red = await startRed();
  await red.deploy(fullFlow(op, opName, sandboxUrl, token));
  if (variant === 'lib' || variant === 'lib2') {
    const { WellcloudClient } = flows.dist('lib/client');
    const client = new WellcloudClient(flows.clientOptions(sandboxUrl));
    return {
      op: (i) => op.lib(client, ids, i).then(check),
      completesOnNewTurn: false,
      close: async () => {
        client.close();
        await red.stop();
      },
    };
  }
  const entry = { node: 'op-node', bare: 'op-bare', core: 'op-core' }[variant];
  const caller = redCaller(red, entry, { okTag: variant });
  const result = (m) => {
    if (variant === 'core' && m.statusCode !== 200) throw new Error(`core flow: HTTP ${m.statusCode}`);
    return m.payload;
  };
  return {
    op: (i) => caller.call(op.payload(ids, i)).then(result).then(check),
    // the sink gets the message on Node-RED's setImmediate: already a new turn (bench/lib/driver.js)
    completesOnNewTurn: !SYNC_DELIVERY,
    close: async () => {
      caller.dispose();
      await red.stop();
    },
  };
}

/**
 * The order of the variants in round `r`: the rows of a Williams square, so that over every four
 * rounds each variant runs right after each other variant once (and the machine's drift within
 * a round hits every variant alike).
 */
function roundOrder(names, r) {
  const n = names.length;
  const row = r % n;
  const out = [];
  for (let j = 0; j < n; j++) {
    // row, row+1, row-1, row+2, ... (mod n)
    const step = j === 0 ? 0 : j % 2 === 1 ? (j + 1) / 2 : -j / 2;
    out.push(names[(((row + step) % n) + n) % n]);
  }
  return out;
}

async function runOp(sandboxUrl, opName, settings, token, ids) {
  const op = OPS[opName];
  const spec = { opName, sandboxUrl, token, ids };
  const children = {};
  try {
    // one process per variant: none pays for another's garbage or shares its JIT state
    for (const v of VARIANTS) children[v] = await startVariant({ ...spec, variant: v });
    const loop = (v, count, concurrency) => children[v].run(count, concurrency);
    // warm-up: token, keep-alive sockets, JIT
    for (const v of VARIANTS) await loop(v, settings.warmup, CONCURRENCY);
    const rounds = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    for (let r = 0; r < settings.rounds; r++) {
      for (const v of roundOrder(VARIANTS, r)) rounds[v].push(await loop(v, settings.count, CONCURRENCY));
    }
    return { ...summarise(op.label, rounds), atConcurrency1: await overheadAlone(loop, settings) };
  } finally {
    for (const c of Object.values(children)) await c.close();
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
      gcUsPerRequest: round(median(rs.map((r) => r.gcUsPerOp)), 1),
      systemUsPerRequest: round(median(rs.map((r) => r.systemUsPerOp)), 1),
      gcScavenges: round(median(rs.map((r) => r.gcScavenges)), 0),
      gcMajor: round(median(rs.map((r) => r.gcMajor)), 0),
      rounds: rs.map((r) => round(r.perSecond, 0)),
      roundsCpuUs: rs.map((r) => round(r.cpuUsPerOp, 0)),
      pid: rs[0].pid,
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
    ...(rounds.lib2
      ? { lib2VsLib: round(paired('lib2', 'lib', (a, b) => a.perSecond / b.perSecond), 3), lib2AddedMedianLatencyMs: addedLatency('lib2', 'lib') }
      : {}),
  };
}

async function run(ctx) {
  const { WellcloudClient } = flows.dist('lib/client');
  const settings = ctx.quick ? { warmup: 200, count: 500, rounds: 4, alone: 100 } : { warmup: 4000, count: 4000, rounds: 8, alone: 300 };
  if (ctx.rounds) settings.rounds = ctx.rounds;
  const client = new WellcloudClient(flows.clientOptions(ctx.sandboxUrl));
  let token;
  let ids;
  try {
    token = await client.getToken();
    ids = await seededCallIds(client);
  } finally {
    client.close();
  }
  const out = {};
  for (const opName of Object.keys(OPS)) out[opName] = await runOp(ctx.sandboxUrl, opName, settings, token, ids);
  return { concurrency: CONCURRENCY, requestsPerRound: settings.count, rounds: settings.rounds, processPerVariant: true, ops: out };
}

module.exports = { run, setupVariant, AA };
