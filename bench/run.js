#!/usr/bin/env node
'use strict';
/**
 * npm run bench: every scenario side by side with its baseline, in one run.
 *
 *   node bench/run.js [--only name,name] [--quick] [--rounds n] [--list]
 *   --quick: reduced sizes (a smoke test of the bench itself; figures not comparable)
 *   --rounds: measured rounds per scenario instead of its default
 *
 * Each scenario runs in a fresh worker process (bench/worker.js, --expose-gc); the sandbox it
 * talks to runs in another child process (bench/lib/sandbox-child.js), so the sandbox's CPU and
 * memory never count in the measured process. Prints a table of ratios against the targets and
 * writes everything to bench/results/latest.json. See bench/README.md.
 */
const { fork } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startSandboxProcess } = require('./lib/sandbox');
const { table, round } = require('./lib/stats');
const { evaluate, targetRows } = require('./lib/targets');
const { ROOT } = require('./lib/paths');

/** The scenarios, in run order, with the sandbox each needs (null: none). */
const SCENARIOS = [
  {
    name: 'throughput',
    title: 'dual call / CDR-by-call, concurrency 16: lib vs node vs core flow',
    // long simulated calls: no call finishes (and pushes) while the bench runs
    sandbox: { sandbox: { callDurationMs: 3_600_000, pushes: false } },
  },
  {
    name: 'token-401',
    file: 'token-expiry',
    variant: '401',
    title: '1,000 concurrent messages after the platform expired the token',
    sandbox: { sandbox: { pushes: false, callDurationMs: 3_600_000 } },
  },
  {
    name: 'token-ttl',
    file: 'token-expiry',
    variant: 'ttl',
    title: '1,000 concurrent messages after the token lifetime ran out',
    sandbox: { sandbox: { pushes: false, callDurationMs: 3_600_000, announceTtl: true, tokenTtlMs: 6000 } },
  },
  {
    name: 'cdr-paging',
    title: '100,000 CDRs (1,000 pages), 20 ms per page: concurrency 4 vs sequential',
    sandbox: {
      sandbox: { pushes: false, callsPerDay: 4000, dataFrom: '2025-03-01', dataTo: '2025-03-25', latencyMs: 20 },
      rangeCache: true,
      warmRange: ['2025-03-01 00:00:00', '2025-03-25 23:59:59'],
    },
  },
  { name: 'recording-file', title: '1 GiB recording to a file vs stream.pipeline(http.get -> fs)', sandbox: { sandbox: { pushes: false } } },
  { name: 'event-in', title: 'event-in, 20,000 posted events vs http in -> http response; dedupe of 1M events', sandbox: null },
  { name: 'roster', title: 'roster of 1,000,000 rows from an array', sandbox: null },
  {
    name: 'redeploy',
    title: '350 full deploys of every node type with work in flight: heap, listeners, routes, handles',
    // calls end quickly (no call of a stopped flow lives on in the sandbox); a little latency keeps
    // every request of a cycle in flight when the next deployment stops it
    sandbox: { sandbox: { pushes: false, callDurationMs: 20, latencyMs: 10 } },
  },
];

function parseArgs(argv) {
  const args = { only: null, quick: false, list: false, rounds: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--list') args.list = true;
    else if (a === '--rounds') args.rounds = Number(argv[++i]);
    else if (a === '--only') args.only = String(argv[++i] || '').split(',').filter(Boolean);
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',').filter(Boolean);
    else throw new Error(`unknown argument ${a} (use --only a,b --quick --rounds n --list)`);
  }
  if (args.rounds !== undefined && !(Number.isInteger(args.rounds) && args.rounds > 0)) throw new Error('--rounds expects a positive integer');
  if (args.only) {
    const unknown = args.only.filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return args;
}

/** Diagnostic: Node-RED delivers messages synchronously (its `runtimeSyncDelivery` setting). */
const SYNC_DELIVERY = process.env.WELLCLOUD_BENCH_SYNC_DELIVERY === '1';
/** Diagnostic: an A/A pair in the throughput scenario (a second lib process; see bench/scenarios/throughput.js). */
const AA = process.env.WELLCLOUD_BENCH_AA === '1';

function runWorker(file, ctx) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'worker.js'), [file, JSON.stringify(ctx)], {
      // WELLCLOUD_BENCH_NODE_ARGS: extra Node.js flags for the worker, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'
      execArgv: ['--expose-gc', ...(process.env.WELLCLOUD_BENCH_NODE_ARGS || '').split(' ').filter(Boolean)],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome;
    child.on('message', (m) => {
      if (m && (m.type === 'result' || m.type === 'failed')) outcome = m;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (outcome && outcome.type === 'result') resolve(outcome.result);
      else reject(new Error(outcome ? outcome.message : `worker ${file} exited with code ${code} and no result`));
    });
  });
}

async function runScenario(s, args) {
  const started = Date.now();
  let sandbox;
  try {
    if (s.sandbox) sandbox = await startSandboxProcess(s.sandbox);
    const ctx = { sandboxUrl: sandbox ? sandbox.url : null, quick: args.quick, rounds: args.rounds, variant: s.variant };
    const result = await runWorker(s.file || s.name, ctx);
    const sandboxStats = sandbox ? await sandbox.stats() : null;
    return { name: s.name, title: s.title, ok: true, seconds: round((Date.now() - started) / 1000, 1), result, sandbox: sandboxStats };
  } catch (e) {
    return { name: s.name, title: s.title, ok: false, seconds: round((Date.now() - started) / 1000, 1), error: e.message };
  } finally {
    if (sandbox) await sandbox.close();
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0] ? cpus[0].model : 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(16)} ${s.title}`);
    return;
  }
  const chosen = SCENARIOS.filter((s) => !args.only || args.only.includes(s.name));
  const started = Date.now();
  const loadStart = os.loadavg().map((x) => round(x, 2));
  const results = [];
  for (const s of chosen) {
    process.stdout.write(`[bench] ${s.name}: ${s.title} ... `);
    const r = await runScenario(s, args);
    console.log(r.ok ? `${r.seconds} s` : `FAILED after ${r.seconds} s\n${r.error}`);
    results.push(r);
  }
  const checks = evaluate(results);
  const out = {
    date: new Date().toISOString(),
    quick: args.quick,
    rounds: args.rounds ?? 'default',
    // diagnostic runs (see README, "Environment"): never figures for the results table
    diagnostics: { syncDelivery: SYNC_DELIVERY, aa: AA, workerNodeArgs: process.env.WELLCLOUD_BENCH_NODE_ARGS || '' },
    packageDir: ROOT,
    loadAverage: { start: loadStart, end: os.loadavg().map((x) => round(x, 2)) },
    totalSeconds: round((Date.now() - started) / 1000, 1),
    machine: machine(),
    checks,
    scenarios: results,
  };
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(out, null, 2)}\n`);

  console.log(`\n${table(['scenario', 'measure', 'value', 'baseline', 'ratio', 'target', 'verdict'], checks.map((c) => [c.scenario, c.measure, c.value, c.baseline, c.ratio, c.target, c.verdict]))}`);
  const targets = targetRows(checks);
  const missed = targets.filter((c) => c.verdict !== 'met');
  console.log(`\n${targets.length - missed.length}/${targets.length} targets met in ${out.totalSeconds} s${args.quick ? ' (--quick: sizes reduced, not comparable)' : ''}${SYNC_DELIVERY ? ' (WELLCLOUD_BENCH_SYNC_DELIVERY=1: a diagnostic, not comparable)' : ''}${AA ? ' (WELLCLOUD_BENCH_AA=1: an extra lib process in the throughput rounds, a diagnostic)' : ''}; bench/results/latest.json written.`);
  process.exitCode = missed.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(2);
});
