'use strict';
/**
 * Peak memory of the measuring process around a piece of work.
 *
 * Two measures, the larger one wins:
 * - the kernel's high-water mark (VmHWM in /proc/self/status), reset before the work by writing
 *   "5" to /proc/self/clear_refs (Linux >= 4.0): it sees every peak, even inside a long
 *   synchronous call;
 * - `process.memoryUsage.rss()` sampled every few milliseconds (portable fallback; misses peaks
 *   while the event loop is blocked).
 * The baseline is the RSS right before the work, after a full garbage collection when the process
 * runs with --expose-gc.
 */
const fs = require('fs');

const SAMPLE_MS = 5;

function readHwmBytes() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function resetHwm() {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function fullGc() {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
}

/**
 * Runs `work()` and reports `{result, baselineRss, peakRss, growth, method}` (bytes).
 * `growth` = peak RSS during the work minus the RSS right before it.
 */
async function measurePeak(work) {
  fullGc();
  const hwmUsable = resetHwm();
  const baselineRss = process.memoryUsage.rss();
  let sampled = baselineRss;
  const timer = setInterval(() => {
    const r = process.memoryUsage.rss();
    if (r > sampled) sampled = r;
  }, SAMPLE_MS);
  let result;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  const end = process.memoryUsage.rss();
  const hwm = hwmUsable ? readHwmBytes() : undefined;
  const peakRss = Math.max(sampled, end, hwm ?? 0);
  return { result, baselineRss, peakRss, growth: peakRss - baselineRss, method: hwm !== undefined ? 'VmHWM+sampling' : 'sampling' };
}

module.exports = { measurePeak, fullGc };
