'use strict';
/**
 * The sandbox in its own process, so its CPU and memory stay out of the measured process.
 * Started by bench/lib/sandbox.js with IPC. Messages from the parent:
 *   {type: 'stats'}  -> {type: 'stats', cpuMs, rss, connections, loopDelayMaxMs (since the last stats), rangeCache}
 *   {type: 'close'}  -> closes the sandbox and exits
 * It sends {type: 'ready', url} once listening (or {type: 'error', message}).
 *
 * argv[2]: JSON {sandbox: SandboxOptions, rangeCache?: boolean, warmRange?: [begin, end]}
 *   rangeCache: installs the bench-side range-query cache (range-cache.js), unless the sandbox
 *               caches range queries itself
 *   warmRange:  generates the seeded calls of that China-time range before 'ready'
 */
const path = require('path');
const { monitorEventLoopDelay } = require('perf_hooks');

const { DIST } = require('./paths');

function send(msg) {
  if (process.connected) process.send(msg);
}

async function main() {
  const opts = JSON.parse(process.argv[2] || '{}');
  const cache = opts.rangeCache && !sandboxCachesRanges() ? require('./range-cache').installRangeCache(DIST) : null;
  const { startSandbox } = require(path.join(DIST, 'lib', 'sandbox'));
  const { parseChina } = require(path.join(DIST, 'lib', 'sandbox', 'time.js'));
  const sb = await startSandbox({ host: '127.0.0.1', port: 0, ...(opts.sandbox || {}) });
  if (Array.isArray(opts.warmRange)) {
    const [b, e] = opts.warmRange.map((s) => parseChina(s));
    sb.store.range(b, e);
  }
  // TCP connections accepted: shows whether clients reuse keep-alive sockets
  let connections = 0;
  if (sb.server && typeof sb.server.on === 'function') sb.server.on('connection', () => connections++);
  const cpuAtStart = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await sb.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'stats') {
      const cpu = process.cpuUsage(cpuAtStart);
      const rc = cache ? { hits: cache.stats.hits, misses: cache.stats.misses, disabled: cache.stats.disabled, missDetails: cache.stats.missDetails } : null;
      send({ type: 'stats', cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage.rss(), connections, loopDelayMaxMs: loop.max / 1e6, rangeCache: rc });
      loop.reset();
    } else if (msg.type === 'close') {
      void close();
    }
  });
  process.on('disconnect', () => void close());
  send({ type: 'ready', url: sb.url });
}

/**
 * True when the sandbox keeps range query results itself (bench/patches/05 applied: CallStore has
 * a `version`), so the bench-side stand-in is not needed.
 */
function sandboxCachesRanges() {
  const { CallStore } = require(path.join(DIST, 'lib', 'sandbox', 'data.js'));
  return Boolean(Object.getOwnPropertyDescriptor(CallStore.prototype, 'version'));
}

main().catch((e) => {
  send({ type: 'error', message: e && e.stack ? e.stack : String(e) });
  process.exit(1);
});
