'use strict';
/** Load drivers: a closed loop with fixed concurrency, and request/response over the embedded Node-RED. */
const bus = require('./bus');
const { nowMs, median, percentile } = require('./stats');

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs `op(i)` for i = 0..count-1 with `concurrency` operations in flight.
 * Resolves {count, elapsedMs, perSecond, cpuUsPerOp, latency: {median, p90, p99}} (ms).
 */
async function closedLoop({ count, concurrency, op }) {
  const latencies = new Float64Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      // each operation starts on a new turn of the event loop (as Node-RED delivers messages),
      // never inside the completion of the previous one: starting an HTTP request from within
      // the previous answer's callbacks costs ~50 % more CPU and would handicap the lib baseline
      await nextTurn();
      const t = nowMs();
      await op(i);
      latencies[i] = nowMs() - t;
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = nowMs();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = nowMs() - t0;
  const cpu = process.cpuUsage(cpu0);
  const l = Array.from(latencies);
  return {
    count,
    elapsedMs,
    perSecond: (count / elapsedMs) * 1000,
    /** CPU time of this process per operation (user + system), in microseconds. */
    cpuUsPerOp: (cpu.user + cpu.system) / count,
    latency: { median: median(l), p90: percentile(l, 90), p99: percentile(l, 99) },
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
