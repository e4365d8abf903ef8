'use strict';
/*
 * lib/cdr.ts and its engine lib/cdr-range.ts. The engine is driven by small in-test platforms
 * (a page function over a known record set, with inclusive or exclusive range ends, span limits
 * and partitions) so every splitting path is exercised; the real client against the sandbox
 * checks the whole chain.
 */
const assert = require('assert');
const { dist, useSandbox } = require('../helpers');

const cdr = dist('lib/cdr.js');
const { WellcloudError } = dist('lib/errors.js');
const { formatPlatformTime, parseTimeInput } = dist('lib/time.js');
const { WellcloudClient } = dist('lib/client.js');

const SEC = 1000;
const MIN = 60 * SEC;
const DAY = 24 * 3600 * SEC;
const china = (s) => parseTimeInput(s, 'Asia/Shanghai').getTime();
const fmt = (ms) => formatPlatformTime(new Date(ms), 'Asia/Shanghai');
const monthOf = (ms) => fmt(ms).slice(0, 7);

function platformError(code, errorMessage) {
  return new WellcloudError({ code: String(code), status: 400, errorCode: code, errorMessage, message: `platform ${code}` });
}

/** Records every `stepMs` from `from` to `to`, plus records exactly on every month start and month end second. */
function makeRecords(from, to, stepMs) {
  const times = [];
  for (let t = from; t <= to; t += stepMs) times.push(t);
  for (let t = from; t <= to; t += DAY) {
    const day = fmt(t).slice(0, 10);
    if (day.endsWith('-01')) times.push(china(`${day} 00:00:00`), china(`${day} 00:00:00`));
  }
  return times
    .filter((t) => t >= from && t <= to)
    .sort((a, b) => a - b)
    .map((t, i) => ({ callId: `call-${String(i).padStart(6, '0')}`, beginTime: fmt(t), ms: Math.floor(t / SEC) * SEC }));
}

/**
 * A page function like the platform's: filter, sort by time then callId, page with total on page 1.
 * `exclusiveEnd`: the range is [begin, end) instead of [begin, end]. `maxSpanMs`: 14001 above it.
 * `partition`: 'month' answers 14015 for a range whose ends lie in different months.
 */
function fakePlatform(records, opts = {}) {
  const calls = [];
  const state = { inFlight: 0, maxInFlight: 0, refused: [] };
  const fetchPage = async (beginTime, endTime, p, s, signal) => {
    calls.push({ beginTime, endTime, p, s });
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    try {
      await new Promise((resolve, reject) => {
        const onAbort = () => {
          clearTimeout(timer);
          reject(new WellcloudError({ code: 'ABORTED', message: 'aborted' }));
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, typeof opts.latency === 'function' ? opts.latency(p) : opts.latency || 0);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      const b = china(beginTime);
      const e = china(endTime);
      if (b > e) throw platformError(14004, 'begin after end');
      if (opts.maxSpanMs !== undefined && e - b > opts.maxSpanMs) {
        state.refused.push(`14001 ${beginTime}..${endTime}`);
        throw platformError(14001, '查询时间跨度过大');
      }
      const lastIncluded = opts.exclusiveEnd ? e - SEC : e;
      if (opts.partition === 'month' && monthOf(b) !== monthOf(lastIncluded)) {
        const [y, m] = monthOf(b).split('-').map(Number);
        state.refused.push(`14015 ${beginTime}..${endTime}`);
        const next = m === 12 ? `${y + 1}-01-01 00:00:00` : `${y}-${String(m + 1).padStart(2, '0')}-01 00:00:00`;
        throw platformError(14015, opts.namePoint === false ? '不得跨库查询，必须分成两部分查询' : `不得跨库查询，必须分成两部分查询，请以${next}时间点分为两次查询`);
      }
      let list = records.filter((r) => r.ms >= b && (opts.exclusiveEnd ? r.ms < e : r.ms <= e));
      if (opts.isOrder === 0) list = list.slice().reverse();
      // `cap`: a deployment that pages by at most `cap` records, whatever `s` asks
      const size = opts.cap ? Math.min(s, opts.cap) : s;
      const page = list.slice((p - 1) * size, p * size).map(({ ms, ...r }) => r);
      return p === 1 && opts.total !== false ? { total: list.length, list: page } : { list: page };
    } finally {
      state.inFlight--;
    }
  };
  return { fetchPage, calls, state };
}

async function drain(iterable) {
  const pages = [];
  for await (const page of iterable) pages.push(page);
  return pages;
}

const ids = (pages) => pages.flatMap((p) => p.records.map((r) => r.callId));

function range(begin, end, isOrder = 1) {
  return { begin: china(begin), end: china(end), isOrder };
}

describe('lib/cdr', function () {
  describe('fetchPagedRange (engine)', function () {
    const records = makeRecords(china('2025-01-20 00:00:00'), china('2025-04-10 00:00:00'), 47 * MIN);
    const within = (b, e) => records.filter((r) => r.ms >= china(b) && r.ms <= china(e)).map((r) => r.callId);

    it('returns every record of a range that needs no split, with total-based expectations', async function () {
      const p = fakePlatform(records);
      const pages = await drain(cdr.fetchPagedRange(p.fetchPage, range('2025-02-03 00:00:00', '2025-02-09 00:00:00'), { pageSize: 50, concurrency: 3 }));
      const expected = within('2025-02-03 00:00:00', '2025-02-09 00:00:00');
      assert.deepStrictEqual(ids(pages), expected);
      assert.strictEqual(pages[0].expectedRecords, expected.length);
      assert.strictEqual(pages[0].expectedPages, Math.ceil(expected.length / 50));
      assert.strictEqual(pages.length, Math.ceil(expected.length / 50));
      assert.deepStrictEqual(pages.map((x) => x.last), pages.map((_, i) => i === pages.length - 1));
      assert.ok(p.calls.every((c) => c.s === 50));
    });

    for (const exclusiveEnd of [false, true]) {
      const kind = exclusiveEnd ? 'exclusive' : 'inclusive';
      for (const isOrder of [1, 0]) {
        it(`splits across months and spans (${kind} ends, isOrder ${isOrder}): every record once, in order`, async function () {
          const p = fakePlatform(records, { exclusiveEnd, maxSpanMs: 31 * DAY, partition: 'month', isOrder });
          const splits = [];
          const q = range('2025-01-25 12:00:00', '2025-04-05 12:00:00', isOrder);
          const pages = await drain(cdr.fetchPagedRange(p.fetchPage, q, { pageSize: 100, concurrency: 4, onSplit: (s) => splits.push(s) }));
          let expected = records.filter((r) => r.ms >= q.begin && (exclusiveEnd ? r.ms < q.end : r.ms <= q.end)).map((r) => r.callId);
          if (isOrder === 0) expected = expected.reverse();
          const got = ids(pages);
          assert.strictEqual(new Set(got).size, got.length, 'a record came twice');
          assert.deepStrictEqual(got, expected);
          assert.ok(splits.some((s) => s.reason === '14001') && splits.some((s) => s.reason === '14015'));
          // records exactly on a month boundary are there (00:00:00 of Feb, Mar, Apr)
          for (const m of ['02', '03', '04']) assert.ok(pages.some((pg) => pg.records.some((r) => r.beginTime === `2025-${m}-01 00:00:00`)));
          assert.ok(pages.every((pg) => pg.expectedPages === undefined), 'a split range cannot know its page count in advance');
        });
      }
    }

    it('learns the partition rule and the span limit once per query', async function () {
      const p = fakePlatform(records, { maxSpanMs: 31 * DAY, partition: 'month' });
      await drain(cdr.fetchPagedRange(p.fetchPage, range('2025-01-21 00:00:00', '2025-04-09 00:00:00'), { concurrency: 1 }));
      // a 78-day range over 4 months: a few probes, not one refusal per piece
      assert.ok(p.state.refused.length <= 5, `refused: ${p.state.refused.join(', ')}`);
    });

    it('splits at the month boundary when 14015 names no time point', async function () {
      const p = fakePlatform(records, { partition: 'month', namePoint: false });
      const pages = await drain(cdr.fetchPagedRange(p.fetchPage, range('2025-02-20 00:00:00', '2025-03-10 00:00:00'), {}));
      assert.deepStrictEqual(ids(pages), within('2025-02-20 00:00:00', '2025-03-10 00:00:00'));
      assert.ok(p.calls.some((c) => c.endTime === '2025-02-28 23:59:59' || c.endTime === '2025-03-01 00:00:00'));
    });

    it('handles a range that ends exactly on a partition point', async function () {
      const p = fakePlatform(records, { partition: 'month' });
      const pages = await drain(cdr.fetchPagedRange(p.fetchPage, range('2025-02-25 00:00:00', '2025-03-01 00:00:00'), {}));
      const got = ids(pages);
      assert.deepStrictEqual(got, within('2025-02-25 00:00:00', '2025-03-01 00:00:00'));
      assert.ok(pages.some((pg) => pg.records.some((r) => r.beginTime === '2025-03-01 00:00:00')));
    });

    it('halves on 14001 down to the minimum span, then fails with the platform error', async function () {
      const p = fakePlatform(records, { maxSpanMs: 30 * SEC });
      await assert.rejects(
        drain(cdr.fetchPagedRange(p.fetchPage, range('2025-02-01 00:00:00', '2025-02-01 06:00:00'), { minSpanMs: MIN })),
        (e) => e.code === '14001' && e.errorCode === 14001,
      );
      // every refused span of a minute or more was split again; the one that failed was shorter
      const spans = p.calls.map((c) => china(c.endTime) - china(c.beginTime));
      const last = spans.at(-1);
      assert.ok(last > 30 * SEC && last < MIN, `spans: ${spans.map((x) => x / SEC)}`);
      assert.ok(spans.slice(0, -1).filter((x) => x > 30 * SEC).every((x) => x >= MIN), `spans: ${spans.map((x) => x / SEC)}`);
    });

    it('keeps the output order and the records with any concurrency, never more than `concurrency` pages ahead', async function () {
      const jitter = (p) => (p * 7) % 5;
      const results = [];
      for (const concurrency of [1, 2, 5, 8]) {
        const p = fakePlatform(records, { maxSpanMs: 20 * DAY, partition: 'month', latency: jitter });
        const pages = [];
        for await (const page of cdr.fetchPagedRange(p.fetchPage, range('2025-01-20 00:00:00', '2025-04-10 00:00:00'), { concurrency, pageSize: 20 })) {
          pages.push(page);
          assert.ok(p.state.inFlight <= concurrency, `${p.state.inFlight} requests in flight with concurrency ${concurrency}`);
          await new Promise((r) => setTimeout(r, 1)); // a slow consumer
        }
        assert.ok(p.state.maxInFlight <= concurrency);
        if (concurrency > 1) assert.ok(p.state.maxInFlight > 1, 'pages were fetched in parallel');
        results.push(ids(pages));
      }
      for (const r of results) assert.deepStrictEqual(r, results[0]);
      assert.strictEqual(results[0].length, records.length);
    });

    it('counts the pages of a deployment that caps the page size below pageSize: no record skipped', async function () {
      for (const cap of [30, 99]) {
        const p = fakePlatform(records, { cap, maxSpanMs: 31 * DAY, partition: 'month' });
        const q = range('2025-01-25 12:00:00', '2025-04-05 12:00:00');
        const pages = await drain(cdr.fetchPagedRange(p.fetchPage, q, { pageSize: 100, concurrency: 4 }));
        const expected = records.filter((r) => r.ms >= q.begin && r.ms <= q.end).map((r) => r.callId);
        assert.deepStrictEqual(ids(pages), expected, `cap ${cap}`);
        assert.ok(p.calls.every((c) => c.s === 100), 'the page size asked for stays the same');
      }
      // one piece: the expectations follow the deployment's page size
      const p = fakePlatform(records, { cap: 30 });
      const pages = await drain(cdr.fetchPagedRange(p.fetchPage, range('2025-02-03 00:00:00', '2025-02-09 00:00:00'), { pageSize: 100, concurrency: 2 }));
      const expected = within('2025-02-03 00:00:00', '2025-02-09 00:00:00');
      assert.deepStrictEqual(ids(pages), expected);
      assert.strictEqual(pages[0].expectedPages, Math.ceil(expected.length / 30));
      assert.strictEqual(pages.length, Math.ceil(expected.length / 30));
    });

    it('walks page by page when the platform sends no total', async function () {
      const p = fakePlatform(records, { total: false });
      const pages = await drain(cdr.fetchPagedRange(p.fetchPage, range('2025-02-01 00:00:00', '2025-02-04 00:00:00'), { pageSize: 10, concurrency: 4 }));
      assert.deepStrictEqual(ids(pages), within('2025-02-01 00:00:00', '2025-02-04 00:00:00'));
      assert.ok(pages.at(-1).last);
      assert.strictEqual(pages[0].expectedPages, undefined);
    });

    it('ends a sub-range at an empty page, so a huge or wrong total neither fills memory nor asks without end', async function () {
      const three = [0, 1, 2].map((i) => ({ callId: `c${i}`, beginTime: `2025-02-01 00:00:0${i}` }));
      for (const total of [1e300, 3e6, 250]) {
        for (const concurrency of [1, 4]) {
          const asked = [];
          let inFlight = 0;
          let maxInFlight = 0;
          const fetchPage = async (b, e, p) => {
            asked.push(p);
            if (asked.length > 50) throw new Error(`runaway: ${asked.length} pages asked`);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise((resolve) => setTimeout(resolve, p === 2 ? 5 : 1));
            inFlight--;
            return p === 1 ? { total, list: three } : { list: [] };
          };
          const pages = await drain(cdr.fetchPagedRange(fetchPage, range('2025-02-01 00:00:00', '2025-02-02 00:00:00'), { pageSize: 3, concurrency }));
          const where = `total ${total}, concurrency ${concurrency}`;
          assert.deepStrictEqual(ids(pages), ['c0', 'c1', 'c2'], where);
          assert.strictEqual(pages.at(-1).last, true, where);
          assert.strictEqual(pages[0].expectedRecords, total, where);
          // page 2 came back empty: at most the pages fetched ahead of it were asked as well
          assert.deepStrictEqual(asked.slice(0, 2), [1, 2], where);
          assert.ok(asked.length <= 1 + concurrency, `${where}: asked ${asked}`);
          assert.ok(maxInFlight <= concurrency, `${where}: ${maxInFlight} in flight`);
        }
      }
    });

    it('stops on abort: nothing more is asked and the iteration fails with ABORTED', async function () {
      const p = fakePlatform(records, { latency: 20 });
      const controller = new AbortController();
      const seen = [];
      const run = (async () => {
        for await (const page of cdr.fetchPagedRange(p.fetchPage, range('2025-01-20 00:00:00', '2025-04-10 00:00:00'), { pageSize: 10, signal: controller.signal })) {
          seen.push(page);
          if (seen.length === 2) controller.abort();
        }
      })();
      await assert.rejects(run, (e) => e.code === 'ABORTED');
      const asked = p.calls.length;
      await new Promise((r) => setTimeout(r, 60));
      assert.strictEqual(p.calls.length, asked);
      assert.strictEqual(p.state.inFlight, 0);
    });

    it('cancels the requests in flight when the consumer breaks out', async function () {
      const p = fakePlatform(records, { latency: 30 });
      for await (const page of cdr.fetchPagedRange(p.fetchPage, range('2025-01-20 00:00:00', '2025-04-10 00:00:00'), { pageSize: 10, concurrency: 4 })) {
        assert.ok(page.records.length > 0);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
      assert.strictEqual(p.state.inFlight, 0);
    });

    it('passes other platform errors through unchanged', async function () {
      const fetchPage = async () => {
        throw platformError(14002, 'GET请求超时');
      };
      await assert.rejects(drain(cdr.fetchPagedRange(fetchPage, range('2025-02-01 00:00:00', '2025-02-02 00:00:00'))), (e) => e.code === '14002');
    });
  });

  describe('fetchPagedRange against a platform that keeps refusing', function () {
    it('ends with SPLIT_LIMIT once a platform refusing every span over 90 s needs more than 100,000 pieces (zh-CN text)', async function () {
      this.timeout(30000);
      let calls = 0;
      // no timer per page: tens of thousands of pages are asked before the limit
      const fetchPage = async (b, e) => {
        calls++;
        if (china(e) - china(b) > 90 * SEC) throw platformError(14001, '查询时间跨度过大');
        return { total: 0, list: [] };
      };
      await assert.rejects(drain(cdr.fetchPagedRange(fetchPage, range('2025-01-01 00:00:00', '2025-12-31 00:00:00'), { concurrency: 8, lang: 'zh-CN' })), (e) => {
        assert.strictEqual(e.code, 'SPLIT_LIMIT');
        assert.strictEqual(e.message, '平台一直拒绝该时间段：已拆分超过 100000 段，请查询更短的时间段。');
        return true;
      });
      // bounded: the pieces already made are fetched, the rest never asked for
      assert.ok(calls < 100000, `${calls} pages asked`);
    });

    it('a 14015 naming no time point, for a span without a month start (a deployment partitioned otherwise): halves, then gives the 14015 up', async function () {
      const asked = [];
      const dayOf = (t) => fmt(china(t)).slice(0, 10);
      const fetchPage = async (b, e) => {
        asked.push(`${b}..${e}`);
        if (dayOf(b) !== dayOf(e)) throw platformError(14015, '不得跨库查询，必须分成两部分查询');
        return { total: 0, list: [] };
      };
      const splits = [];
      await assert.rejects(
        drain(cdr.fetchPagedRange(fetchPage, range('2025-02-03 06:00:00', '2025-02-05 18:00:00'), { onSplit: (x) => splits.push(x) })),
        (e) => e.code === '14015',
      );
      assert.ok(splits.length > 1 && splits.every((x) => x.reason === '14015' && x.pieces.length === 2), JSON.stringify(splits[0]));
      // each refusal halves; pieces of under a minute are not split again
      assert.ok(asked.length < 40, `${asked.length} pages asked`);
      const last = asked.at(-1).split('..').map(china);
      assert.ok(last[1] - last[0] < MIN, asked.at(-1));
    });

    it('an error on a later page of a range is the error of the query: no split, no more pages asked after it', async function () {
      const records = makeRecords(china('2025-02-01 00:00:00'), china('2025-02-02 00:00:00'), 5 * MIN);
      const p = fakePlatform(records);
      const failure = platformError(14002, 'GET请求超时');
      const fetchPage = (b, e, page, size, signal) => (page === 3 ? Promise.reject(failure) : p.fetchPage(b, e, page, size, signal));
      const splits = [];
      const seen = [];
      await assert.rejects(
        (async () => {
          for await (const page of cdr.fetchPagedRange(fetchPage, range('2025-02-01 00:00:00', '2025-02-02 00:00:00'), { pageSize: 10, concurrency: 1, onSplit: (x) => splits.push(x) })) seen.push(page.rangePage);
        })(),
        (e) => e === failure,
      );
      assert.deepStrictEqual(seen, [1, 2]);
      assert.deepStrictEqual(splits, []);
      assert.deepStrictEqual(p.calls.map((c) => c.p), [1, 2]);
    });
  });

  describe('namedSplitPoint / nextMonthStart', function () {
    const { namedSplitPoint, nextMonthStart } = dist('lib/cdr-range.js');
    it('reads the time point of a 14015 message in China time', function () {
      assert.strictEqual(namedSplitPoint(platformError(14015, '不得跨库查询，请以2025-03-01 00:00:00时间点分为两次查询')), china('2025-03-01 00:00:00'));
      assert.strictEqual(namedSplitPoint(platformError(14015, '请以2025-3-1时间点分为两次查询')), china('2025-03-01 00:00:00'));
      assert.strictEqual(namedSplitPoint(platformError(14015, '不得跨库查询，必须分成两部分查询')), undefined);
      // a date that does not exist in the platform's text: the explanation is read next, then nothing
      assert.strictEqual(namedSplitPoint(new WellcloudError({ code: '14015', errorCode: 14015, errorMessage: '请以2025-13-01 00:00:00时间点分为两次查询', message: 'split at 2025-04-01 00:00:00' })), china('2025-04-01 00:00:00'));
      assert.strictEqual(namedSplitPoint(new WellcloudError({ code: '14015', errorCode: 14015, errorMessage: '请以2025-02-30时间点分为两次查询', message: 'x' })), undefined);
    });
    it('finds the next China month start', function () {
      assert.strictEqual(nextMonthStart(china('2025-12-31 23:59:59')), china('2026-01-01 00:00:00'));
      assert.strictEqual(nextMonthStart(china('2025-02-01 00:00:00')), china('2025-03-01 00:00:00'));
    });
    it('finds it before the year 1000 too (four-digit year), and none after December 9999', function () {
      // "500-02-01 00:00:00" is no time: the split of a query in year 500 failed with "time is not a valid time"
      assert.strictEqual(nextMonthStart(china('0500-01-15 00:00:00')), china('0500-02-01 00:00:00'));
      assert.strictEqual(nextMonthStart(china('0099-12-31 23:59:59')), china('0100-01-01 00:00:00'));
      assert.strictEqual(nextMonthStart(china('9999-12-01 00:00:00')), Number.POSITIVE_INFINITY);
    });
    it('splits a range before the year 1000 at its month boundary on 14015, every record once', async function () {
      const records = makeRecords(china('0500-01-31 20:00:00'), china('0500-02-01 04:00:00'), 30 * MIN);
      const p = fakePlatform(records, { partition: 'month', namePoint: false });
      const pages = await drain(cdr.fetchPagedRange(p.fetchPage, range('0500-01-31 20:00:00', '0500-02-01 04:00:00')));
      assert.deepStrictEqual(ids(pages), records.map((r) => r.callId));
      assert.ok(p.state.refused.length >= 1 && p.state.refused.every((x) => x.startsWith('14015 0500-')), p.state.refused.join('; '));
    });
  });

  describe('collectRecords', function () {
    const records = makeRecords(china('2025-02-01 00:00:00'), china('2025-02-03 00:00:00'), 10 * MIN);
    it('collects every record', async function () {
      const p = fakePlatform(records);
      const all = await cdr.collectRecords(cdr.fetchPagedRange(p.fetchPage, range('2025-02-01 00:00:00', '2025-02-03 00:00:00')), 1000);
      assert.strictEqual(all.length, records.length);
    });
    it('maxRecords exactly reached is fine, one more fails: counted after de-duplication of split points', async function () {
      // a 14001 split at the two-day mark: the shared second 2025-02-02 00:00:00 is in both pieces
      const q = range('2025-02-01 00:00:00', '2025-02-03 00:00:00');
      const expected = records.filter((r) => r.ms >= q.begin && r.ms <= q.end).length;
      const run = (max, opts) => cdr.collectRecords(cdr.fetchPagedRange(fakePlatform(records, opts).fetchPage, q, { pageSize: 10, concurrency: 3 }), max);
      for (const opts of [{}, { maxSpanMs: DAY }]) {
        assert.strictEqual((await run(expected, opts)).length, expected);
        await assert.rejects(run(expected - 1, opts), (e) => e.code === 'MAX_RECORDS');
      }
    });
    it('fails with MAX_RECORDS from page 1 when the total is too large, without fetching the rest', async function () {
      const p = fakePlatform(records);
      await assert.rejects(
        cdr.collectRecords(cdr.fetchPagedRange(p.fetchPage, range('2025-02-01 00:00:00', '2025-02-03 00:00:00'), { pageSize: 10, concurrency: 1 }), 50, 'zh-CN'),
        (e) => e.code === 'MAX_RECORDS' && e.field === 'maxRecords' && /50/.test(e.message) && /[\u4e00-\u9fff]/.test(e.message),
      );
      assert.ok(p.calls.length <= 2, `${p.calls.length} pages were fetched`);
    });
  });

  describe('input checks', function () {
    const base = { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-02 00:00:00', domain: 'demo.cc' };
    const invalid = (field) => (e) => e.code === 'INVALID_INPUT' && e.field === field;

    it('accepts a Date, epoch ms, ISO 8601 and yyyy-MM-dd HH:mm:ss in the given zone', function () {
      const at = china('2025-03-01 08:00:00');
      const forms = [new Date(at), at, String(at), '2025-03-01T00:00:00Z', '2025-03-01T08:00:00+08:00', '2025-03-01 08:00:00'];
      for (const beginTime of forms) {
        const q = cdr.prepareCallRange('en-US', { ...base, beginTime }, { timezone: 'Asia/Shanghai' });
        assert.strictEqual(q.beginTime.getTime(), at, `form ${String(beginTime)}`);
      }
      const berlin = cdr.prepareCallRange('en-US', { ...base, beginTime: '2025-03-01 01:00:00' }, { timezone: 'Europe/Berlin' });
      assert.strictEqual(berlin.beginTime.getTime(), at);
    });

    it('rejects begin after end, bad times, and missing fields, naming the field', function () {
      assert.throws(() => cdr.prepareCallRange('en-US', { ...base, beginTime: '2025-03-03 00:00:00' }), invalid('beginTime'));
      assert.throws(() => cdr.prepareCallRange('en-US', { ...base, endTime: '2025-02-30 00:00:00' }), invalid('endTime'));
      assert.throws(() => cdr.prepareCallRange('en-US', { ...base, beginTime: undefined }), invalid('beginTime'));
      assert.throws(() => cdr.prepareCallRange('en-US', { ...base, domain: '' }), invalid('domain'));
      assert.throws(() => cdr.prepareCallRange('en-US', { ...base, isOrder: 2 }), invalid('isOrder'));
      assert.strictEqual(cdr.prepareCallRange('en-US', { ...base, domain: '' }, { domain: 'cfg.cc' }).domain, 'cfg.cc');
      assert.strictEqual(cdr.prepareCallRange('en-US', { ...base, isOrder: 'desc' }).isOrder, 0);
      assert.strictEqual(cdr.prepareCallRange('en-US', { ...base, isOrder: '0' }).isOrder, 0);
      assert.strictEqual(cdr.prepareCallRange('en-US', base).isOrder, 1);
    });

    it('rejects a time outside the years 0000 to 9999, which the platform text cannot hold', function () {
      // valid instants, but formatted "275760-09-13 07:59:59" and "-001-..." they were sent and refused with 400
      for (const [beginTime, endTime] of [
        [8.64e15 - 3600e3, 8.64e15],
        [Date.UTC(-1, 0, 1), Date.UTC(-1, 0, 2)],
        ['9999-12-31 23:00:00', new Date(Date.UTC(10000, 0, 1))],
      ]) {
        const field = typeof beginTime === 'string' ? 'endTime' : 'beginTime';
        assert.throws(() => cdr.prepareCallRange('en-US', { ...base, beginTime, endTime }), (e) => invalid(field)(e) && /is outside the years 0000 to 9999/.test(e.message));
      }
      assert.throws(() => cdr.prepareCallRange('zh-CN', { ...base, beginTime: 8.64e15 - 1000, endTime: 8.64e15 }), (e) => /超出平台时间格式/.test(e.message));
      const last = cdr.prepareCallRange('en-US', { ...base, beginTime: '9999-12-31 00:00:00', endTime: '9999-12-31 23:59:59' });
      assert.strictEqual(last.endTime.getTime(), Date.UTC(9999, 11, 31, 15, 59, 59));
    });

    it('checks every robot filter', function () {
      assert.throws(() => cdr.prepareRobotRange('en-US', base), invalid('campaignId'));
      const q = cdr.prepareRobotRange('en-US', {
        ...base, campaignId: 'c1', resultCode: '2', groupCampaignId: 'g', batchId: 'b', batchName: 'n', rosterId: 15, uuiKey: 'k', uuiValue: 'v', isCount: 'false', ani: '6001@demo.cc', dnis: '9',
      });
      assert.deepStrictEqual(
        { ...q, beginTime: undefined, endTime: undefined },
        { beginTime: undefined, endTime: undefined, isOrder: 1, domain: 'demo.cc', ani: '6001@demo.cc', dnis: '9', campaignId: 'c1', resultCode: 2, groupCampaignId: 'g', batchId: 'b', batchName: 'n', rosterId: '15', uuiKey: 'k', uuiValue: 'v', isCount: false },
      );
      assert.throws(() => cdr.prepareRobotRange('en-US', { ...base, campaignId: 'c', resultCode: 'x' }), invalid('resultCode'));
      assert.throws(() => cdr.prepareRobotRange('en-US', { ...base, campaignId: 'c', isCount: 'yes' }), invalid('isCount'));
    });

    it('bounds pageSize, concurrency and maxRecords', function () {
      assert.deepStrictEqual(cdr.prepareRangeOptions('en-US', {}), { pageSize: 100, concurrency: 2, maxRecords: 100000 });
      assert.deepStrictEqual(cdr.prepareRangeOptions('en-US', { pageSize: '20', concurrency: 8, maxRecords: 5 }), { pageSize: 20, concurrency: 8, maxRecords: 5 });
      assert.throws(() => cdr.prepareRangeOptions('en-US', { pageSize: 101 }), invalid('pageSize'));
      assert.throws(() => cdr.prepareRangeOptions('en-US', { concurrency: 9 }), invalid('concurrency'));
      assert.throws(() => cdr.prepareRangeOptions('en-US', { maxRecords: 0 }), invalid('maxRecords'));
    });
  });

  describe('against the sandbox', function () {
    const sandbox = useSandbox();
    let client;
    before(function () {
      const { DEMO_CREDENTIALS } = dist('lib/sandbox');
      client = new WellcloudClient({ baseUrl: sandbox().url, ...DEMO_CREDENTIALS, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    });
    after(() => client.close());
    afterEach(() => sandbox().clearRequests());

    /** What the sandbox holds, read day by day through the client (each day is one partition and short enough). */
    async function dayByDay(begin, end) {
      const out = [];
      for (let b = china(begin); b <= china(end); b += DAY) {
        const e = Math.min(b + DAY - SEC, china(end));
        const q = cdr.prepareCallRange('en-US', { beginTime: b, endTime: e, domain: 'demo.cc' });
        for await (const page of cdr.fetchCallRange(client, q, { concurrency: 1 })) out.push(...page.records);
      }
      return out;
    }

    it('fetchCallRange and fetchRobotRange take the times as queryCalls does (text in China time) and name a bad field, sending nothing', async function () {
      const { DEMO_CAMPAIGN_ID } = dist('lib/sandbox');
      const day = { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 23:59:59', domain: 'demo.cc' };
      const got = await cdr.collectRecords(cdr.fetchCallRange(client, day), 1000);
      assert.deepStrictEqual(got.map((r) => r.callId), sandbox().calls.range(day.beginTime, day.endTime).map((c) => c.callId));
      const robot = await cdr.collectRecords(cdr.fetchRobotRange(client, { ...day, campaignId: DEMO_CAMPAIGN_ID, isOrder: 0 }), 1000);
      assert.ok(robot.every((r) => r.campaignId === DEMO_CAMPAIGN_ID));
      sandbox().clearRequests();
      const bad = [
        [{ ...day, beginTime: '2025-02-30 00:00:00' }, 'beginTime', 'en-US', /^beginTime /],
        [{ ...day, endTime: 'tomorrow' }, 'endTime', 'zh-CN', /^endTime .*[\u4e00-\u9fff]/],
        [{ ...day, domain: undefined }, 'domain', 'en-US', /^domain is required\.$/],
      ];
      for (const [query, field, lang, text] of bad) {
        await assert.rejects(cdr.collectRecords(cdr.fetchCallRange(client, query, { lang }), 1000), (e) => e.code === 'INVALID_INPUT' && e.field === field && text.test(e.message));
      }
      await assert.rejects(cdr.collectRecords(cdr.fetchRobotRange(client, day), 1000), (e) => e.code === 'INVALID_INPUT' && e.field === 'campaignId');
      assert.deepStrictEqual(sandbox().requests, []);
    });

    it('a 40-day range across a month boundary returns every record once, as the days one by one do', async function () {
      const begin = '2025-04-12 09:30:00';
      const end = '2025-05-22 18:00:00';
      const q = cdr.prepareCallRange('en-US', { beginTime: begin, endTime: end, domain: 'demo.cc' });
      const got = await cdr.collectRecords(cdr.fetchCallRange(client, q, { concurrency: 4 }), 100000);
      const ids = got.map((r) => r.callId);
      assert.strictEqual(new Set(ids).size, ids.length, 'a record came twice');
      const union = (await dayByDay(begin, end)).map((r) => r.callId);
      assert.deepStrictEqual(ids, union);
      const held = sandbox().calls.range(begin, end).map((c) => c.callId);
      assert.deepStrictEqual(ids, held);
      assert.ok(got.some((r) => r.beginTime === '2025-05-01 00:00:00') && got.some((r) => r.beginTime === '2025-04-30 23:59:59'), 'boundary records are there');
      const refused = sandbox().requests.filter((r) => r.status === 400).map((r) => r.path);
      assert.ok(refused.length > 0 && refused.every((p) => p === '/api/cdr/2.0/calls/open'));
    });

    it('robot calls: sends every filter and isDownload=0', async function () {
      const { DEMO_CAMPAIGN_ID, SAMPLE_ROBOT_CALL_ID } = dist('lib/sandbox');
      const day = sandbox().calls.get(SAMPLE_ROBOT_CALL_ID).beginTime.slice(0, 10);
      const q = cdr.prepareRobotRange('en-US', {
        beginTime: `${day} 00:00:00`, endTime: `${day} 23:59:59`, domain: 'demo.cc', campaignId: DEMO_CAMPAIGN_ID, uuiKey: 'currentCallLevel', uuiValue: 'F', isCount: true,
      });
      const got = await cdr.collectRecords(cdr.fetchRobotRange(client, q), 1000);
      assert.ok(got.some((r) => r.callId === SAMPLE_ROBOT_CALL_ID));
      assert.ok(got.every((r) => r.campaignId === DEMO_CAMPAIGN_ID));
      const req = sandbox().requests.find((r) => r.path === '/api/cdr/2.0/open/calls/robot');
      assert.strictEqual(req.query.isDownload, '0');
      assert.strictEqual(req.query.uuiKey, 'currentCallLevel');
      assert.strictEqual(req.query.campaignId, DEMO_CAMPAIGN_ID);
      assert.strictEqual(req.query.beginTime, `${day} 00:00:00`);
    });

    it('robot calls: a negative resultCode (-4 hung up, legacy failedCode table) is sent, not refused', async function () {
      const { DEMO_CAMPAIGN_ID } = dist('lib/sandbox');
      const q = cdr.prepareRobotRange('en-US', {
        beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 23:59:59', domain: 'demo.cc', campaignId: DEMO_CAMPAIGN_ID, resultCode: '-4',
      });
      assert.strictEqual(q.resultCode, -4);
      await cdr.collectRecords(cdr.fetchRobotRange(client, q), 1000);
      const req = sandbox().requests.find((r) => r.path === '/api/cdr/2.0/open/calls/robot');
      assert.strictEqual(req.query.resultCode, '-4');
      assert.strictEqual(req.status, 200);
      assert.throws(() => cdr.prepareRobotRange('en-US', { ...q, beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 23:59:59', resultCode: '-4.5' }), (e) => e.code === 'INVALID_INPUT' && e.field === 'resultCode');
    });
  });
});
