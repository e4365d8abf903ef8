'use strict';
/** Load drivers: a closed loop with fixed concurrency, and request/response over the embedded Node-RED. */
const bus = require('./bus');
const { PerformanceObserver, constants } = require('perf_hooks');
const { nowMs, median, percentile } = require('./stats');

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs `op(i)` for i = 0..count-1 with `concurrency` operations in flight.
 * Resolves {count, elapsedMs, perSecond, cpuUsPerOp, latency, serviceLatency} (latencies as
 * {median, p90, p99} in ms).
 *
 * Latency is the response time of a closed loop: from the moment an op is due (the previous op
 * of its slot completed) to its completion, so every wait in between counts whoever causes it:
 * the harness's own `setImmediate` before the lib's next call as much as Node-RED's before it
 * hands a message to the next node. (Timing only from the op's first line would leave the
 * lib's wait for the check phase outside the window and the node's inside it.) The median of
 * the per-slot response times then agrees with Little's law (about concurrency / throughput).
 * `serviceLatency`, from the op's first line, is kept for reading.
 *
 * Every operation starts in the check phase of the event loop (a `setImmediate` turn, as
 * Node-RED delivers messages), never inside the I/O callbacks of the previous answer: starting
 * an HTTP request from within those costs ~50 % more CPU and would handicap the lib baseline.
 * An op whose completion already runs on such a turn (`completesOnNewTurn`: a message reaching
 * the bench sink through Node-RED's asynchronous delivery) starts the next one at once; one more
 * `setImmediate` there would put it a whole loop iteration later than the lib's next op.
 */
async function closedLoop({ count, concurrency, op, completesOnNewTurn = false }) {
  const latencies = new Float64Array(count);
  const service = new Float64Array(count);
  let next = 0;
  const worker = async () => {
    // when the slot became free: the previous op of this worker completed (or the loop started)
    let due = nowMs();
    for (let i = next++; i < count; i = next++) {
      if (!completesOnNewTurn || i < concurrency) await nextTurn();
      const t = nowMs();
      await op(i);
      const end = nowMs();
      latencies[i] = end - due;
      service[i] = end - t;
      due = end;
    }
  };
  const gc = { ms: 0, scavenges: 0, major: 0 };
  const addGc = (entries) => {
    for (const e of entries) {
      gc.ms += e.duration;
      const kind = e.detail && e.detail.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    }
  };
  // GC pauses of this process during the loop (the entries arrive on later turns: taken at the end)
  const obs = new PerformanceObserver((list) => addGc(list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = nowMs() - t0;
  const cpu = process.cpuUsage(cpu0);
  addGc(obs.takeRecords());
  obs.disconnect();
  const l = Array.from(latencies);
  const sv = Array.from(service);
  return {
    count,
    elapsedMs,
    perSecond: (count / elapsedMs) * 1000,
    /** CPU time of this process per operation (user + system), in microseconds. */
    cpuUsPerOp: (cpu.user + cpu.system) / count,
    /** Of it in the kernel (system calls: socket reads and writes, epoll). */
    systemUsPerOp: cpu.system / count,
    /** Time in GC pauses per operation (µs, all kinds), and the scavenges and full collections. */
    gcUsPerOp: (gc.ms * 1000) / count,
    gcScavenges: gc.scavenges,
    gcMajor: gc.major,
    /** Response time: from when the op was due (its slot freed) to its completion. */
    latency: { median: median(l), p90: percentile(l, 90), p99: percentile(l, 99) },
    /** From the op's first line of code to its completion (leaves out the wait to start). */
    serviceLatency: { median: median(sv), p90: percentile(sv, 90), p99: percentile(sv, 99) },
  };
}

/**
 * Sends messages into a deployed flow and resolves when the flow's bench-sink gets them back.
 * `call(payload)` injects `{_benchId, payload}` at `entryId` (node.receive, as the test helper
 * does) and resolves with the message that reached the sink tagged `okTag`; a message reaching
 * the sink tagged `errorTag` (a Catch node) rejects with its msg.error.
 */
function redCaller(red, entryId, { okTag, errorTag = 'error' }) {
  const entry = red.node(entryId);
  const pending = new Map();
  let seq = 0;
  const onSink = (tag, msg) => {
    if (tag !== okTag && tag !== errorTag) return;
    const id = msg && msg._benchId;
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    if (tag === errorTag) {
      const e = msg.error || {};
      p.reject(Object.assign(new Error(`flow error ${e.code || ''}: ${e.message || JSON.stringify(e)}`), { code: e.code }));
    } else p.resolve(msg);
  };
  bus.on('sink', onSink);
  return {
    call(payload, extra = {}) {
      return new Promise((resolve, reject) => {
        const id = `b${++seq}`;
        pending.set(id, { resolve, reject });
        entry.receive({ ...extra, _benchId: id, payload });
      });
    },
    dispose() {
      bus.off('sink', onSink);
      pending.clear();
    },
  };
}

module.exports = { closedLoop, redCaller };
