'use strict';
/**
 * Part 1: 20,000 distinct callEnd pushes per run, posted by a load generator in its own process
 * (bench/lib/http-load.js, 16 keep-alive connections) to the embedded Node-RED:
 *   event-in  http in (POST) -> wellcloud-event-in (respond, dedupe on, defaults)
 *   bare      http in (POST) -> http response          (the baseline: nothing checked)
 * rounds interleaved; target: event-in >= 90 % of the bare flow's events/s (median of the
 * per-round ratios). Serials never repeat, so every event is new to the dedupe memory.
 *
 * Part 2: 1,000,000 distinct event keys through the dedupe structure of lib/events.ts
 * (EventDeduper with the node's defaults: 8 h window, 100,000 entries, in-memory storage as the
 * node's default memory context store). Target: the entry count never exceeds its bound. Also
 * reported: time per event at the bound, heap growth, and that it still recognises recent keys
 * and has forgotten the evicted ones. Capped at a time budget (the bound is checked on whatever
 * ran); the result says whether all 1,000,000 went through.
 */
const { fork } = require('child_process');
const path = require('path');
const { startRed } = require('../lib/red');
const { fullGc } = require('../lib/memory');
const { nowMs, round, median, mib } = require('../lib/stats');
const flows = require('../lib/flows');

const CONNECTIONS = 16;
const DEDUPE_EVENTS = 1_000_000;
const DEDUPE_BUDGET_MS = 45_000;

function flow() {
  return [
    flows.tab(),
    { id: 'ev-bare-in', type: 'http in', z: flows.TAB, name: '', url: '/bench/bare', method: 'post', upload: false, swaggerDoc: '', x: 120, y: 40, wires: [['ev-bare-out']] },
    { id: 'ev-bare-out', type: 'http response', z: flows.TAB, name: '', statusCode: '', headers: {}, x: 320, y: 40, wires: [] },
    { id: 'ev-in', type: 'http in', z: flows.TAB, name: '', url: '/bench/events', method: 'post', upload: false, swaggerDoc: '', x: 120, y: 120, wires: [['ev-node']] },
    {
      id: 'ev-node',
      type: 'wellcloud-event-in',
      z: flows.TAB,
      name: '',
      respond: true,
      dedupe: true,
      dedupeWindow: 8,
      dedupeWindowUnit: 'h',
      dedupeMax: 100000,
      dedupeStore: '',
      maxBodyKb: 2048,
      credentials: {},
      x: 320,
      y: 120,
      wires: [[], [], []],
    },
  ];
}

/** One load run in the generator process; also the CPU this (Node-RED) process spent meanwhile. */
function load(port, urlPath, count, firstSerial) {
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const child = fork(path.join(__dirname, '..', 'lib', 'http-load.js'), [JSON.stringify({ port, path: urlPath, count, connections: CONNECTIONS, firstSerial })], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let outcome;
    child.on('message', (m) => (outcome = m));
    child.on('exit', (code) => {
      const cpu = process.cpuUsage(cpu0);
      if (!outcome || outcome.type !== 'done') return reject(new Error(outcome ? outcome.message : `load generator exited with ${code}`));
      if (outcome.statuses['200'] !== count) return reject(new Error(`${urlPath}: answers ${JSON.stringify(outcome.statuses)}, expected ${count} x 200`));
      return resolve({ ...outcome, perSecond: (count / outcome.elapsedMs) * 1000, cpuUsPerEvent: (cpu.user + cpu.system) / count });
    });
  });
}

async function httpPart(ctx) {
  const count = ctx.quick ? 4000 : 20_000;
  const rounds = ctx.rounds || (ctx.quick ? 2 : 3);
  const red = await startRed();
  try {
    await red.deploy(flow());
    let serial = 1;
    const take = (n) => {
      const first = serial;
      serial += n;
      return first;
    };
    const targets = { eventIn: '/bench/events', bare: '/bench/bare' };
    for (const p of Object.values(targets)) await load(red.port, p, 2000, take(2000));
    const runs = { eventIn: [], bare: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['bare', 'eventIn'] : ['eventIn', 'bare'];
      for (const name of order) runs[name].push(await load(red.port, targets[name], count, take(count)));
    }
    const ratio = median(runs.eventIn.map((x, i) => x.perSecond / runs.bare[i].perSecond));
    const pick = (rs) => ({
      perSecond: round(median(rs.map((x) => x.perSecond)), 0),
      medianLatencyMs: round(median(rs.map((x) => x.latency.median)), 3),
      cpuUsPerEvent: round(median(rs.map((x) => x.cpuUsPerEvent)), 1),
      rounds: rs.map((x) => round(x.perSecond, 0)),
    });
    return { events: count, connections: CONNECTIONS, rounds, eventIn: pick(runs.eventIn), bare: pick(runs.bare), ratio: round(ratio, 3) };
  } finally {
    await red.stop();
  }
}

/** 1M distinct keys through EventDeduper; memory storage holding the state object as Node-RED's memory context does. */
async function dedupePart(ctx) {
  const { EventDeduper, DEFAULT_DEDUPE_MAX, DEFAULT_DEDUPE_WINDOW_MS } = flows.dist('lib/events');
  const total = ctx.quick ? 200_000 : DEDUPE_EVENTS;
  let state;
  const storage = {
    load: async () => state,
    save: async (s) => {
      state = s;
    },
  };
  const d = new EventDeduper({ windowMs: DEFAULT_DEDUPE_WINDOW_MS, maxEntries: DEFAULT_DEDUPE_MAX, storage });
  const key = (i) => `callEnd|${i}|bench-${i}`;
  fullGc();
  const heap0 = process.memoryUsage().heapUsed;
  let maxSize = 0;
  let falseDuplicates = 0;
  let heapPeak = heap0;
  const t0 = nowMs();
  let atBoundFrom = null;
  let done = 0;
  for (let i = 0; i < total; i++) {
    if (await d.seen(key(i))) falseDuplicates++;
    if (d.size > maxSize) maxSize = d.size;
    done = i + 1;
    if (atBoundFrom === null && d.size >= DEFAULT_DEDUPE_MAX) atBoundFrom = { i: done, ms: nowMs() };
    if ((i & 0x3fff) === 0) {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      if (nowMs() - t0 > DEDUPE_BUDGET_MS) break;
    }
  }
  const elapsed = nowMs() - t0;
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  // the recent keys are still known, the first ones (evicted by the bound) are not
  let recentKnown = 0;
  for (let i = done - 1000; i < done; i++) if (await d.seen(key(i))) recentKnown++;
  let oldForgotten = 0;
  for (let i = 0; i < 1000; i++) if (!(await d.seen(key(i)))) oldForgotten++;
  const atBound = atBoundFrom && done > atBoundFrom.i ? ((nowMs() - atBoundFrom.ms) * 1000) / (done - atBoundFrom.i) : null;
  return {
    requested: total,
    processed: done,
    finished: done === total,
    seconds: round(elapsed / 1000, 1),
    budgetSeconds: DEDUPE_BUDGET_MS / 1000,
    bound: DEFAULT_DEDUPE_MAX,
    maxEntries: maxSize,
    falseDuplicates,
    usPerEventBelowBound: atBoundFrom ? round(((atBoundFrom.ms - t0) * 1000) / atBoundFrom.i, 2) : null,
    usPerEventAtBound: round(atBound, 2),
    recentKnown,
    oldForgotten,
    heapGrowthMiB: mib(heapPeak - heap0),
  };
}

async function run(ctx) {
  const http = await httpPart(ctx);
  const dedupe = await dedupePart(ctx);
  return { http, dedupe };
}

module.exports = { run };
