'use strict';
/**
 * 100,000 CDRs in 1,000 pages of 100, 20 ms sandbox latency per request, through the
 * wellcloud-cdr node (operation range, output mode `record`: one message per record) in the
 * embedded Node-RED. The same node is asked with `concurrency` 1 (sequential paging, the
 * baseline) and 4, rounds interleaved. Targets: concurrency 4 >= 3x faster; peak RSS growth of
 * the measuring process <= 50 MB while it streams the 100,000 record messages.
 *
 * Data: the sandbox runs with callsPerDay 4000 over 2025-03-01 .. 2025-03-25 (exactly 100,000
 * seeded calls; one month, within the 31-day span limit, so no range splitting disturbs the
 * paging measure) and its range-query cache stand-in (bench/lib/range-cache.js).
 */
const { redCaller } = require('../lib/driver');
const { measurePeak } = require('../lib/memory');
const { startRed } = require('../lib/red');
const bus = require('../lib/bus');
const { nowMs, round, median, mib, fnv32 } = require('../lib/stats');
const flows = require('../lib/flows');

const RANGE = { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-25 23:59:59' };
const WARM_RANGE = { beginTime: '2025-03-02 00:00:00', endTime: '2025-03-02 23:59:59' };
const EXPECTED = 100_000;

function flow(sandboxUrl) {
  return [
    flows.tab(),
    flows.configNode(sandboxUrl),
    {
      id: 'cdr-node',
      type: 'wellcloud-cdr',
      z: flows.TAB,
      name: '',
      server: 'bench-cfg',
      operation: 'range',
      outputMode: 'record',
      isOrder: '1',
      pageSize: 100,
      concurrency: 2,
      maxRecords: 100000,
      x: 300,
      y: 40,
      wires: [['cdr-sink']],
    },
    flows.sink('cdr-sink', 'record'),
    ...flows.catchAll(),
  ];
}

/**
 * Injects one query and resolves once the last record message arrived: {ms, records, digest}.
 * Nothing is kept per record but a running checksum of the callIds (order-independent), so the
 * record sets of all runs can be compared without holding them.
 */
function query(red, range, concurrency) {
  return new Promise((resolve, reject) => {
    const entry = red.node('cdr-node');
    let records = 0;
    let digest = 0;
    let count;
    let lastIndex = -1;
    let ordered = true;
    const t0 = nowMs();
    const done = (err, value) => {
      bus.off('sink', onSink);
      if (err) reject(err);
      else resolve(value);
    };
    const onSink = (tag, msg) => {
      if (tag === 'error') return done(new Error(`cdr node failed: ${msg.error && msg.error.message}`));
      if (tag !== 'record') return undefined;
      records++;
      digest = (digest + fnv32(String(msg.payload.callId))) >>> 0;
      if (msg.parts.index !== lastIndex + 1) ordered = false;
      lastIndex = msg.parts.index;
      if (msg.parts.count !== undefined) count = msg.parts.count;
      if (count !== undefined && records === count) done(null, { ms: nowMs() - t0, records, digest, ordered });
      return undefined;
    };
    bus.on('sink', onSink);
    entry.receive({ payload: { ...range, concurrency } });
  });
}

async function run(ctx) {
  const rounds = ctx.rounds || (ctx.quick ? 1 : 3);
  const range = ctx.quick ? { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-03 23:59:59' } : RANGE;
  const expected = ctx.quick ? 12_000 : EXPECTED;
  const red = await startRed();
  try {
    await red.deploy(flow(ctx.sandboxUrl));
    // warm-up: token, sockets, JIT of the whole path
    await query(red, WARM_RANGE, 4);
    await query(red, WARM_RANGE, 1);
    const runs = { sequential: [], concurrency4: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['sequential', 'concurrency4'] : ['concurrency4', 'sequential'];
      for (const name of order) {
        const m = await measurePeak(() => query(red, range, name === 'sequential' ? 1 : 4));
        runs[name].push({ ...m.result, rssGrowth: m.growth, memoryMethod: m.method });
      }
    }
    const all = [...runs.sequential, ...runs.concurrency4];
    const complete = all.every((x) => x.records === expected && x.ordered && x.digest === all[0].digest);
    const seqMs = median(runs.sequential.map((x) => x.ms));
    const c4Ms = median(runs.concurrency4.map((x) => x.ms));
    const pages = Math.ceil(expected / 100);
    return {
      records: expected,
      pages,
      complete,
      sequentialSeconds: round(seqMs / 1000, 2),
      concurrency4Seconds: round(c4Ms / 1000, 2),
      speedup: round(seqMs / c4Ms, 2),
      idealSpeedup: 4,
      msPerPage: { sequential: round(seqMs / pages, 2), concurrency4: round(c4Ms / pages, 2) },
      peakRssGrowthMiB: {
        concurrency4: mib(Math.max(...runs.concurrency4.map((x) => x.rssGrowth))),
        sequential: mib(Math.max(...runs.sequential.map((x) => x.rssGrowth))),
      },
      memoryMethod: all[0].memoryMethod,
      runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => ({ seconds: round(x.ms / 1000, 2), records: x.records, rssGrowthMiB: mib(x.rssGrowth) }))])),
    };
  } finally {
    await red.stop();
  }
}

module.exports = { run };
