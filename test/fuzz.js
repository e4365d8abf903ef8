'use strict';
/**
 * Shared by the seeded fuzz passes (test/nodes/wellcloud-event-in_fuzz_spec.js,
 * test/nodes/action-input_fuzz_spec.js, test/lib/client-hostile_spec.js): the seeded randomness,
 * and (from helpers.js) the watch for what must never happen in the process during a run.
 */

/** mulberry32: a small, fast 32-bit PRNG; the same seed gives the same sequence everywhere. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (arr) => arr[Math.floor(next() * arr.length)];
  const chance = (p) => next() < p;
  const bytes = (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = int(0, 255);
    return b;
  };
  /** One of `[weight, value]` pairs. */
  const weighted = (pairs) => {
    let total = 0;
    for (const [w] of pairs) total += w;
    let x = next() * total;
    for (const [w, v] of pairs) {
      x -= w;
      if (x < 0) return v;
    }
    return pairs[pairs.length - 1][1];
  };
  return { next, int, pick, chance, bytes, weighted };
}

// the process watch lives in helpers.js (other specs use it too); the fuzz passes take it from here
const { watchProcess } = require('./helpers');

module.exports = { prng, watchProcess };
