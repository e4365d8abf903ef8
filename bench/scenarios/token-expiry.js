'use strict';
/**
 * 1,000 concurrent messages after token expiry -> exactly 1 token application.
 *
 * Two nodes share one config node (so one client, one token): 500 messages go to a
 * wellcloud-dual-call node and 500 to a wellcloud-cdr node (operation call), all injected in the
 * same tick. Variants (ctx.variant):
 *   401  the platform revoked every token (/__sandbox/expire-tokens): every request answers 401,
 *        the client renews once and repeats each request once
 *   ttl  the token's announced lifetime (6 s, renewed from half of it) ran out on the client's
 *        clock: the first message applies, the 999 others wait for that application
 * Every message must succeed; the sandbox counts the applications.
 */
const { redCaller } = require('../lib/driver');
const { startRed } = require('../lib/red');
const { controls } = require('../lib/sandbox');
const { nowMs, round, median } = require('../lib/stats');
const flows = require('../lib/flows');

const MESSAGES = 1000;
const DUAL_CALL_BODY = { deviceId: '8002@demo.cc', prefix: '9', customerPhone: '13800138001' };
/** The sandbox of the ttl variant announces 6 s; the client renews from half the lifetime on. */
const TTL_RENEW_AFTER_MS = 3000;

function flow(sandboxUrl) {
  return [
    flows.tab(),
    flows.configNode(sandboxUrl),
    { id: 'tok-dual', type: 'wellcloud-dual-call', z: flows.TAB, name: '', server: 'bench-cfg', cpa: '', x: 300, y: 40, wires: [['tok-sink']] },
    { id: 'tok-cdr', type: 'wellcloud-cdr', z: flows.TAB, name: '', server: 'bench-cfg', operation: 'call', outputMode: 'all', x: 300, y: 100, wires: [['tok-sink']] },
    flows.sink('tok-sink', 'ok'),
    ...flows.catchAll(),
  ];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function burst(dual, cdr, callId) {
  const t0 = nowMs();
  const all = [];
  for (let i = 0; i < MESSAGES; i++) {
    all.push(i % 2 === 0 ? dual.call({ ...DUAL_CALL_BODY }) : cdr.call({ callId }));
  }
  const settled = await Promise.allSettled(all);
  const failed = settled.filter((s) => s.status === 'rejected');
  return { ms: nowMs() - t0, ok: settled.length - failed.length, failed: failed.length, firstError: failed[0] ? failed[0].reason.message : null };
}

async function run(ctx) {
  const variant = ctx.variant === 'ttl' ? 'ttl' : '401';
  const sb = controls(ctx.sandboxUrl);
  const rounds = ctx.rounds || (ctx.quick ? 2 : 3);
  const red = await startRed();
  let dual;
  let cdr;
  try {
    await red.deploy(flow(ctx.sandboxUrl));
    dual = redCaller(red, 'tok-dual', { okTag: 'ok' });
    cdr = redCaller(red, 'tok-cdr', { okTag: 'ok' });
    const callId = await sampleCallId(cdr);
    const results = [];
    for (let r = 0; r < rounds; r++) {
      // the client holds a token (applied at the latest by this call, or by the previous burst)
      await cdr.call({ callId });
      if (variant === '401') await sb.expireTokens();
      else await sleep(TTL_RENEW_AFTER_MS + 200);
      const before = await sb.tokenApplications();
      const b = await burst(dual, cdr, callId);
      const applications = (await sb.tokenApplications()) - before;
      results.push({ applications, ...b });
    }
    return {
      variant,
      messages: MESSAGES,
      rounds: results.map((x) => ({ ...x, ms: round(x.ms, 0) })),
      applications: results.map((x) => x.applications),
      failed: results.reduce((n, x) => n + x.failed, 0),
      medianBurstMs: round(median(results.map((x) => x.ms)), 0),
    };
  } finally {
    dual?.dispose();
    cdr?.dispose();
    await red.stop();
  }
}

/** The sandbox's sample call, read through the node itself (this also applies the first token). */
async function sampleCallId(cdr) {
  return (await cdr.call({ callId: flows.dist('lib/sandbox').SAMPLE_CALL_ID })).payload.callId;
}

module.exports = { run };
