'use strict';
/**
 * A bench-side stand-in for a missing cache in the sandbox's CDR range query (see README.md,
 * "Sandbox CPU per page"): lib/sandbox/cdr.ts queryCalls builds, filters, sorts and maps the
 * WHOLE range for every page (O(N log N) per page: ~75-100 ms for a 100,000-call range), so a
 * 1,000-page query measures the sandbox's CPU instead of the 20 ms latency per page the scenario
 * asks for.
 *
 * Installed in the sandbox child process only, before the sandbox server module is loaded (its
 * route table captures the handler at load time). For every distinct query (all parameters but
 * `p`) the first request runs the sandbox's own handler (so validation, errors and the answer are
 * exactly the sandbox's); the ordered list is then computed once and kept, and its page is checked
 * against what the sandbox itself answered. Later pages of the same query are sliced from the
 * kept list. Any difference disables the cache for good (reported in the stats) and every request
 * goes to the sandbox's handler again.
 */
const path = require('path');

function byBeginThenId(a, b) {
  return a.beginMs - b.beginMs || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

/** Wraps res.end for one handler call and returns what was sent as {status, body}. */
function captureAnswer(res) {
  const end = res.end;
  let sent;
  res.end = function capturedEnd(chunk, ...rest) {
    res.end = end;
    try {
      sent = { status: res.statusCode, body: chunk ? JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk)) : undefined };
    } catch {
      sent = { status: res.statusCode, body: undefined };
    }
    return end.call(res, chunk, ...rest);
  };
  return () => {
    res.end = end;
    return sent;
  };
}

function optionalParam(q, name) {
  const v = q.get(name);
  return v === null || v === '' ? undefined : v;
}

/**
 * @param {string} distDir the package's dist/ directory
 * @returns {{stats: object}} live statistics of the cache
 */
function installRangeCache(distDir) {
  const cdr = require(path.join(distDir, 'lib', 'sandbox', 'cdr.js'));
  const { sendJson } = require(path.join(distDir, 'lib', 'sandbox', 'http-util.js'));
  const { parseChina } = require(path.join(distDir, 'lib', 'sandbox', 'time.js'));
  const original = cdr.queryCalls;
  const cache = new Map();
  const stats = { hits: 0, misses: 0, disabled: null, missDetails: [] };

  const storeVersion = (store) => {
    const extra = store && store.extra;
    return extra && typeof extra.size === 'number' ? extra.size : null;
  };

  const keyOf = (q, store) => {
    const version = storeVersion(store);
    if (version === null) return null;
    const entries = [...q.entries()].filter(([k]) => k !== 'p').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `${version}|${new URLSearchParams(entries).toString()}`;
  };

  const orderedItems = (q, store) => {
    const begin = parseChina(q.get('beginTime'));
    const end = parseChina(q.get('endTime'));
    const ani = optionalParam(q, 'ani');
    const dnis = optionalParam(q, 'dnis');
    const calls = store
      .range(begin, end)
      .filter((c) => (ani === undefined || c.listItem.ani === ani) && (dnis === undefined || c.listItem.dnis === dnis))
      .sort(byBeginThenId);
    if (q.get('isOrder') !== '1') calls.reverse();
    return calls.map((c) => c.listItem);
  };

  const pageOf = (items, size, p) => {
    const list = items.slice((p - 1) * size, p * size);
    return p === 1 ? { total: items.length, list } : { list };
  };

  cdr.queryCalls = function cachedQueryCalls(ctx) {
    if (stats.disabled) return original(ctx);
    const q = ctx.query;
    const store = ctx.env.store;
    const key = keyOf(q, store);
    const p = q.get('p');
    const pageNo = p === null ? 1 : /^[1-9]\d{0,8}$/.test(p) ? Number(p) : null;
    const hit = key !== null && pageNo !== null ? cache.get(key) : undefined;
    if (hit) {
      stats.hits++;
      sendJson(ctx.res, 200, pageOf(hit.items, hit.size, pageNo));
      return undefined;
    }
    stats.misses++;
    const answer = captureAnswer(ctx.res);
    const t0 = process.hrtime.bigint();
    let ms;
    try {
      original(ctx);
    } finally {
      ms = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    const sent = answer();
    if (key === null || pageNo === null || !sent || sent.status !== 200 || !sent.body) return undefined;
    const size = q.get('s') === null ? 10 : Number(q.get('s'));
    const items = orderedItems(q, store);
    stats.missDetails.push({ rangeCalls: items.length, sandboxPageMs: Math.round(ms * 10) / 10 });
    const expected = JSON.stringify(pageOf(items, size, pageNo));
    if (expected !== JSON.stringify(sent.body)) {
      stats.disabled = `page ${pageNo} of ${key} differs from the sandbox's own answer`;
      cache.clear();
      return undefined;
    }
    if (cache.size >= 8) cache.delete(cache.keys().next().value);
    cache.set(key, { items, size });
    return undefined;
  };
  return { stats };
}

module.exports = { installRangeCache };
