'use strict';
/** Small statistics and formatting helpers of the bench (no dependencies). */

/** Median of numbers (the mean of the two middle values for an even count); NaN when empty. */
function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The p-th percentile (0..100, nearest rank) of numbers; NaN when empty. */
function percentile(values, p) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const rank = Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1));
  return v[rank];
}

/** Monotonic milliseconds with sub-millisecond precision. */
function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Rounds to `digits` decimals (keeps NaN / null as null for JSON). */
function round(x, digits = 2) {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const MiB = 1024 * 1024;

/** Bytes as MiB with one decimal. */
function mib(bytes) {
  return round(bytes / MiB, 1);
}

/** A fixed-width text table: `rows` are arrays of cells (strings). */
function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] || '').length)));
  const line = (r) => r.map((c, i) => (c || '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** 32-bit FNV-1a of a string: used to compare record sets across runs without keeping them. */
function fnv32(s) {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

module.exports = { median, percentile, nowMs, round, mib, MiB, table, fnv32 };
