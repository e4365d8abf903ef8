'use strict';
/**
 * One benchmark variant in its own process (bench/lib/variant-child.js), driven over IPC: the
 * measuring process only says when to run and collects the figures, so variants measured in turn
 * never pay for each other's garbage nor share JIT and inline-cache state. The child measures
 * itself (closed loop, latency, its own CPU time per operation).
 */
const { fork } = require('child_process');
const path = require('path');

const CHILD = path.join(__dirname, 'variant-child.js');
const READY_TIMEOUT_MS = 60_000;

/** Starts the variant `spec.variant`; resolves {run(count, concurrency), close()}. */
function startVariant(spec) {
  const child = fork(CHILD, [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let seq = 0;
  let exited = false;
  let onReady;
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`variant ${spec.variant}: not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    onReady = (m) => {
      clearTimeout(timer);
      if (m.type === 'ready') resolve();
      else reject(new Error(`variant ${spec.variant}: ${m.message}`));
    };
  });
  child.on('message', (m) => {
    if (m.type === 'ready' || m.type === 'error') return onReady(m);
    const p = pending.get(m.id);
    if (!p) return undefined;
    pending.delete(m.id);
    return m.error ? p.reject(new Error(`variant ${spec.variant}: ${m.error}`)) : p.resolve(m.result);
  });
  child.on('exit', (code) => {
    exited = true;
    onReady({ type: 'error', message: `exited with ${code}` });
    for (const p of pending.values()) p.reject(new Error(`variant ${spec.variant} exited with ${code}`));
    pending.clear();
  });
  const api = {
    run(count, concurrency) {
      return new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        child.send({ type: 'run', id, count, concurrency });
      });
    },
    close() {
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'close' });
      });
    },
  };
  return ready.then(
    () => api,
    (e) => {
      if (!exited) child.kill('SIGKILL');
      throw e;
    },
  );
}

module.exports = { startVariant };
