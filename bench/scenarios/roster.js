'use strict';
/**
 * A roster of 1,000,000 rows given as an array of objects ({rosterId, prdType, number,
 * customerId, data}), validated, serialised to the platform's line format and split into parts of
 * at most 10 MB by lib/roster.ts prepareRoster() (what wellcloud-roster-upload does before it
 * uploads), in this process. The array is built before the measure starts.
 * Targets: <= 3 s; peak memory growth <= 2x the roster text (the bytes of the parts, which are
 * the result and stay). Every round checks the row count, the part sizes and sample lines.
 */
const { measurePeak } = require('../lib/memory');
const { nowMs, round, median, mib } = require('../lib/stats');
const flows = require('../lib/flows');

const ROWS = 1_000_000;

function row(i) {
  return { rosterId: `R${i}`, prdType: '1', number: `138${String(i).padStart(8, '0')}`, customerId: `C${i}`, data: { name: `n${i}`, level: i % 3 === 0 ? 'vip' : 'std' } };
}

function lineOf(i) {
  const r = row(i);
  return `${r.rosterId},${r.prdType},${r.number},${r.customerId},name:${r.data.name}|level:${r.data.level}`;
}

/** Row `i` (0-based) read back from the parts. */
function readLine(parts, i) {
  for (const p of parts) {
    if (i + 1 < p.firstRow || i + 1 > p.lastRow) continue;
    let start = 0;
    for (let k = p.firstRow; k < i + 1; k++) start = p.content.indexOf(10, start) + 1;
    return p.content.toString('utf8', start, p.content.indexOf(10, start));
  }
  return undefined;
}

function verify(prepared, rows, maxPart) {
  const problems = [];
  if (prepared.rows !== rows) problems.push(`rows ${prepared.rows}`);
  if (prepared.parts.some((p) => p.bytes > maxPart || p.content.length !== p.bytes)) problems.push('part size');
  if (prepared.parts.reduce((n, p) => n + p.rows, 0) !== rows) problems.push('rows per part');
  for (const i of [0, 1, rows >> 1, rows - 1]) if (readLine(prepared.parts, i) !== lineOf(i)) problems.push(`line ${i + 1}`);
  return problems;
}

async function run(ctx) {
  const { prepareRoster, ROSTER_MAX_BYTES } = flows.dist('lib/roster');
  const rows = ctx.quick ? 200_000 : ROWS;
  const rounds = ctx.rounds || 3;
  const input = Array.from({ length: rows }, (_, i) => row(i));
  prepareRoster(input.slice(0, 20_000)); // warm-up
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    let ms = 0;
    const m = await measurePeak(() => {
      const t0 = nowMs();
      const prepared = prepareRoster(input);
      ms = nowMs() - t0;
      return prepared;
    });
    const prepared = m.result;
    runs.push({ ms, bytes: prepared.bytes, parts: prepared.parts.length, growth: m.growth, problems: verify(prepared, rows, ROSTER_MAX_BYTES), method: m.method });
  }
  const bytes = runs[0].bytes;
  return {
    rows,
    textMiB: mib(bytes),
    parts: runs[0].parts,
    seconds: round(median(runs.map((x) => x.ms)) / 1000, 2),
    peakGrowthMiB: mib(Math.max(...runs.map((x) => x.growth))),
    memoryVsText: round(Math.max(...runs.map((x) => x.growth)) / bytes, 2),
    memoryMethod: runs[0].method,
    problems: [...new Set(runs.flatMap((x) => x.problems))],
    runs: runs.map((x) => ({ seconds: round(x.ms / 1000, 2), growthMiB: mib(x.growth) })),
  };
}

module.exports = { run };
