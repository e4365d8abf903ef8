'use strict';
/**
 * The targets of the bench (and only here: no unit test times anything) and their evaluation
 * against the scenario results. Every check is one table row:
 *   {scenario, measure, value, baseline, ratio, target, verdict: 'met' | 'MISSED' | 'FAILED'}
 */
const TARGETS = {
  nodeVsLib: 0.9,
  addedLatencyMs: 0.3,
  nodeVsCore: 1.0,
  tokenApplications: 1,
  cdrSpeedup: 3,
  cdrRssMB: 50,
  recordingVsPipeline: 0.8,
  recordingRssMB: 64,
  eventInVsBare: 0.9,
  rosterSeconds: 3,
  rosterMemoryVsText: 2,
  redeployHeapMB: 1,
};

/** MiB (what the scenarios report) to MB (10^6 bytes, what the targets say). */
const toMB = (mib) => (mib * 1024 * 1024) / 1e6;

const fmt = (x, unit = '') => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${x}${unit}`);

function check(scenario, measure, value, baseline, ratio, target, ok) {
  return { scenario, measure, value, baseline, ratio, target, verdict: ok ? 'met' : 'MISSED' };
}

/** A figure shown for reading the others; not a target. */
function info(scenario, measure, value, baseline, ratio) {
  return { scenario, measure, value, baseline, ratio, target: '', verdict: 'info' };
}

const EVALUATORS = {
  throughput(r) {
    const out = [];
    for (const op of Object.values(r.ops)) {
      const { lib, node, core } = op.variants;
      out.push(
        check('throughput', `${op.label}: node vs lib (req/s)`, fmt(node.perSecond), fmt(lib.perSecond), fmt(op.nodeVsLib, 'x'), `>= ${TARGETS.nodeVsLib}x`, op.nodeVsLib >= TARGETS.nodeVsLib),
        check(
          'throughput',
          `${op.label}: added median latency`,
          fmt(node.medianLatencyMs, ' ms'),
          fmt(lib.medianLatencyMs, ' ms'),
          fmt(op.addedMedianLatencyMs, ' ms'),
          `<= ${TARGETS.addedLatencyMs} ms`,
          op.addedMedianLatencyMs <= TARGETS.addedLatencyMs,
        ),
        check('throughput', `${op.label}: node vs core flow (req/s)`, fmt(node.perSecond), fmt(core.perSecond), fmt(op.nodeVsCore, 'x'), `>= ${TARGETS.nodeVsCore}x`, op.nodeVsCore >= TARGETS.nodeVsCore),
      );
      if (op.addedMedianServiceLatencyMs !== undefined) {
        out.push(info('throughput', `${op.label}: added median latency from the op's first line`, fmt(node.medianServiceLatencyMs, ' ms'), fmt(lib.medianServiceLatencyMs, ' ms'), fmt(op.addedMedianServiceLatencyMs, ' ms')));
      }
      if (op.lib2VsLib !== undefined) {
        const lib2 = op.variants.lib2;
        out.push(
          info('throughput', `${op.label}: A/A, a second lib process vs lib (req/s)`, fmt(lib2.perSecond), fmt(lib.perSecond), fmt(op.lib2VsLib, 'x')),
          info('throughput', `${op.label}: A/A, added median latency`, fmt(lib2.medianLatencyMs, ' ms'), fmt(lib.medianLatencyMs, ' ms'), fmt(op.lib2AddedMedianLatencyMs, ' ms')),
        );
      }
      if (op.bareAddedMedianLatencyMs !== undefined) {
        const bare = op.variants.bare;
        out.push(
          info('throughput', `${op.label}: of which Node-RED (bare node vs lib)`, fmt(bare.medianLatencyMs, ' ms'), fmt(lib.medianLatencyMs, ' ms'), fmt(op.bareAddedMedianLatencyMs, ' ms')),
          info('throughput', `${op.label}: of which our node (node vs bare node)`, fmt(node.medianLatencyMs, ' ms'), fmt(bare.medianLatencyMs, ' ms'), fmt(op.nodeOverBareMedianLatencyMs, ' ms')),
          info('throughput', `${op.label}: node vs bare node (req/s)`, fmt(node.perSecond), fmt(bare.perSecond), fmt(op.nodeVsBare, 'x')),
        );
      }
      if (lib.cpuUsPerRequest !== undefined && lib.gcUsPerRequest !== undefined) {
        const cpu = (v) => `${fmt(v.cpuUsPerRequest)} µs (GC ${fmt(v.gcUsPerRequest)})`;
        out.push(info('throughput', `${op.label}: CPU per request, node vs lib (of it in GC)`, cpu(node), cpu(lib), `+${fmt(op.addedCpuUsPerRequest)} µs`));
      }
      const alone = op.atConcurrency1;
      if (alone) out.push(info('throughput', `${op.label}: added median latency, one at a time`, fmt(alone.nodeMedianMs, ' ms'), fmt(alone.libMedianMs, ' ms'), fmt(alone.addedMs, ' ms')));
    }
    return out;
  },
  'cdr-paging'(r) {
    return [
      check('cdr-paging', `${r.records} CDRs / ${r.pages} pages complete, each once, in order`, r.complete ? 'yes' : 'NO', '', '', 'all runs', r.complete),
      check('cdr-paging', 'concurrency 4 vs sequential (s)', fmt(r.concurrency4Seconds, ' s'), fmt(r.sequentialSeconds, ' s'), fmt(r.speedup, 'x'), `>= ${TARGETS.cdrSpeedup}x`, r.speedup >= TARGETS.cdrSpeedup),
      check('cdr-paging', 'peak RSS growth, record mode, concurrency 4', fmt(r.peakRssGrowthMiB.concurrency4, ' MiB'), '', '', `<= ${TARGETS.cdrRssMB} MB`, toMB(r.peakRssGrowthMiB.concurrency4) <= TARGETS.cdrRssMB),
    ];
  },
  'recording-file'(r) {
    return [
      check('recording-file', `${fmt(Math.round(r.bytes / 2 ** 20))} MiB saved whole by both`, r.complete ? 'yes' : 'NO', '', '', 'all runs', r.complete),
      check('recording-file', 'node vs stream.pipeline (MiB/s)', fmt(r.nodeMiBps), fmt(r.pipelineMiBps), fmt(r.ratio, 'x'), `>= ${TARGETS.recordingVsPipeline}x`, r.ratio >= TARGETS.recordingVsPipeline),
      check('recording-file', 'peak RSS growth, node', fmt(r.peakRssGrowthMiB.node, ' MiB'), fmt(r.peakRssGrowthMiB.pipeline, ' MiB'), '', `<= ${TARGETS.recordingRssMB} MB`, toMB(r.peakRssGrowthMiB.node) <= TARGETS.recordingRssMB),
    ];
  },
  'event-in'(r) {
    const { http, dedupe: d } = r;
    return [
      check('event-in', `${http.events} events: event-in vs bare http in/out (ev/s)`, fmt(http.eventIn.perSecond), fmt(http.bare.perSecond), fmt(http.ratio, 'x'), `>= ${TARGETS.eventInVsBare}x`, http.ratio >= TARGETS.eventInVsBare),
      check(
        'event-in',
        `dedupe: ${d.processed.toLocaleString('en-US')}/${d.requested.toLocaleString('en-US')} distinct events, max entries`,
        fmt(d.maxEntries),
        '',
        '',
        `<= ${d.bound}, all events in ${d.budgetSeconds} s`,
        d.maxEntries <= d.bound && d.finished && d.falseDuplicates === 0 && d.recentKnown === 1000,
      ),
    ];
  },
  roster(r) {
    const ok = r.problems.length === 0;
    return [
      check('roster', `${r.rows.toLocaleString('en-US')} rows -> ${r.parts} parts, content checked`, ok ? 'yes' : r.problems.join('; '), '', '', 'all runs', ok),
      check('roster', 'validate + serialise + split (s)', fmt(r.seconds, ' s'), '', '', `<= ${TARGETS.rosterSeconds} s`, r.seconds <= TARGETS.rosterSeconds),
      check('roster', 'peak memory growth vs roster text', fmt(r.peakGrowthMiB, ' MiB'), fmt(r.textMiB, ' MiB'), fmt(r.memoryVsText, 'x'), `<= ${TARGETS.rosterMemoryVsText}x`, r.memoryVsText <= TARGETS.rosterMemoryVsText),
    ];
  },
  redeploy(r) {
    const reg = r.registrations;
    const regText = (k) => ['processListeners', 'runtimeListeners', 'adminRoutes', 'nodeRoutes'].map((n) => reg[n][k]).join(' / ');
    const cycles = `cycles ${r.samplesFrom}-${r.cycles}`;
    const span = ([from, to]) => (from === to ? String(from) : `${from}-${to}`);
    const clean = r.warnings.length === 0 && r.failed === 0 && r.partialFiles === 0 && r.workInFlight === r.cycles;
    return [
      check('redeploy', `heap growth after full GC, cycles ${span(r.heapWindows.early)} to ${span(r.heapWindows.late)} (medians; full deploys, work in flight)`, fmt(r.heapGrowthMiB, ' MiB'), '', `${fmt(r.heapKiBPerCycle)} KiB/cycle`, `<= ${TARGETS.redeployHeapMB} MB`, toMB(r.heapGrowthMiB) <= TARGETS.redeployHeapMB),
      check('redeploy', `listeners (process / runtime events) and routes (admin / http in), ${cycles}`, regText('last'), regText('first'), '', 'unchanged in every sample', r.registrationsChanged.length === 0),
      check('redeploy', `node instances and clients of flows stopped ${r.sampleEvery}+ deployments earlier, after GC, ${cycles}`, fmt(r.retainedMax), '', '', '0 in every sample', r.retainedMax === 0),
      check('redeploy', `sockets, file requests and timers, ${cycles}`, fmt(r.handles.last), fmt(r.handles.first), '', 'no more at the end', r.handles.last <= r.handles.first),
      check(
        'redeploy',
        'work in flight at every redeploy; no warning, failed message or partial file',
        `${r.workInFlight}/${r.cycles}; ${r.warnings.length} / ${r.failed} / ${r.partialFiles}`,
        '',
        '',
        'all; 0 / 0 / 0',
        clean,
      ),
    ];
  },
  'token-401': tokenChecks,
  'token-ttl': tokenChecks,
};

function tokenChecks(r) {
  const label = r.variant === 'ttl' ? 'lifetime ran out' : 'platform answered 401';
  const exact = r.applications.every((n) => n === TARGETS.tokenApplications) && r.failed === 0;
  const value = `${r.applications.join(', ')} (${r.failed} failed)`;
  return [check(`token-${r.variant}`, `${r.messages} messages, ${label}: token applications per round`, value, '', '', `exactly ${TARGETS.tokenApplications}, none failed`, exact)];
}

/** One row per target of every scenario that ran; a failed scenario gives one FAILED row. */
function evaluate(results) {
  const rows = [];
  for (const s of results) {
    if (!s.ok) {
      rows.push({ scenario: s.name, measure: 'scenario', value: 'error', baseline: '', ratio: '', target: '', verdict: 'FAILED', error: s.error });
      continue;
    }
    const ev = EVALUATORS[s.name];
    if (ev) rows.push(...ev(s.result));
  }
  return rows;
}

/** Rows that are targets (not info). */
function targetRows(rows) {
  return rows.filter((r) => r.verdict !== 'info');
}

module.exports = { TARGETS, evaluate, targetRows };
