/**
 * Call detail records (API.md 4-6) above the client: input checks shared by the node and lib
 * users, whole-range queries as async iterators over pages (engine in cdr-range.ts), and
 * collection into one array with a safety cap.
 *
 *   const query = prepareCallRange('en-US', { beginTime: '2025-03-01 00:00:00', endTime: new Date(), domain: 'demo.cc' });
 *   for await (const page of fetchCallRange(client, query, { concurrency: 4 })) handle(page.records);
 */
import { WellcloudError, invalidInput } from './errors';
import { type Lang, t } from './i18n';
import './cdr-messages';
import { type PageFetcher, type RangeEngineOptions, type RangePage, fetchPagedRange } from './cdr-range';
import { PLATFORM_TIME_ZONE, formatPlatformTime, parseTimeInput } from './time';
import type { CallQuery, CallRecord, RobotCallQuery, RobotCallRecord, WellcloudApi } from './types';
import { boolString, intInRange, isPlainObject, oneOf, optionalString, requireString, type Obj } from './validate';

export { DEFAULT_MIN_SPAN_MS, fetchPagedRange, type PageFetcher, type RangeEngineOptions, type RangePage, type SplitInfo, type TimeRange } from './cdr-range';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 2;
export const MAX_CONCURRENCY = 8;
export const DEFAULT_MAX_RECORDS = 100_000;
export const MAX_MAX_RECORDS = 10_000_000;

/** GET /api/cdr/2.0/calls/open over a whole range; times are instants (Date or epoch ms). */
export interface CallRangeQuery {
  beginTime: Date | number;
  endTime: Date | number;
  /** 1 oldest first (default), 0 newest first. */
  isOrder: 0 | 1;
  domain: string;
  ani?: string;
  dnis?: string;
}

/** GET /api/cdr/2.0/open/calls/robot over a whole range (isDownload is always 0). */
export interface RobotRangeQuery extends CallRangeQuery {
  campaignId: string;
  resultCode?: number;
  groupCampaignId?: string;
  batchId?: string;
  batchName?: string;
  rosterId?: string;
  uuiKey?: string;
  uuiValue?: string;
  isCount?: boolean;
}

/** Paging options a user may give (checked by prepareRangeOptions). */
export interface RangeSettings {
  pageSize: number;
  concurrency: number;
  maxRecords: number;
}

export interface PrepareContext {
  /** Zone in which offset-less texts are read (the config's timezone; default Asia/Shanghai). */
  timezone?: string;
  /** Used when the input has no domain (the config's domain). */
  domain?: string;
}

const ROBOT_STRINGS = ['groupCampaignId', 'batchId', 'batchName', 'rosterId', 'uuiKey', 'uuiValue'] as const;

function asObject(input: unknown): Obj {
  return isPlainObject(input) ? input : {};
}

function isOrderOf(lang: Lang | undefined, o: Obj): 0 | 1 {
  const v = oneOf(lang, o, 'isOrder', [1, 0, 'asc', 'desc'] as const, { optional: true });
  return v === 0 || v === 'desc' ? 0 : 1;
}

/** yyyy-MM-dd HH:mm:ss with a four-digit year: what the platform reads. */
const PLATFORM_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function timeOf(lang: Lang | undefined, o: Obj, field: 'beginTime' | 'endTime', timezone: string): Date {
  const v = o[field];
  if (v === undefined || v === null || v === '') throw invalidInput(lang, field, 'input.required');
  const date = parseTimeInput(v, timezone, lang, field);
  // a valid instant before year 0 or after 9999 (epoch ms up to ±8.64e15) has no such text: sent, it
  // would be refused by the platform as a malformed parameter
  if (!PLATFORM_TEXT.test(formatPlatformTime(date))) throw invalidInput(lang, field, 'input.dateRange', { time: date.toISOString() });
  return date;
}

/** Checks and normalises a time-range query (API.md 5). Throws INVALID_INPUT naming the field. */
export function prepareCallRange(lang: Lang | undefined, input: unknown, ctx: PrepareContext = {}): CallRangeQuery {
  const o = { ...asObject(input) };
  if ((o.domain === undefined || o.domain === null || o.domain === '') && ctx.domain) o.domain = ctx.domain;
  const timezone = ctx.timezone || PLATFORM_TIME_ZONE;
  const beginTime = timeOf(lang, o, 'beginTime', timezone);
  const endTime = timeOf(lang, o, 'endTime', timezone);
  if (Math.floor(beginTime.getTime() / 1000) > Math.floor(endTime.getTime() / 1000)) throw invalidInput(lang, 'beginTime', 'input.beginAfterEnd');
  const q: CallRangeQuery = { beginTime, endTime, isOrder: isOrderOf(lang, o), domain: requireString(lang, o, 'domain') };
  const ani = optionalString(lang, o, 'ani');
  const dnis = optionalString(lang, o, 'dnis');
  if (ani !== undefined) q.ani = ani;
  if (dnis !== undefined) q.dnis = dnis;
  return q;
}

/** Checks and normalises a robot query (API.md 6): the range fields plus campaignId and every filter. */
export function prepareRobotRange(lang: Lang | undefined, input: unknown, ctx: PrepareContext = {}): RobotRangeQuery {
  const o = asObject(input);
  const campaignId = requireString(lang, o, 'campaignId');
  const base = prepareCallRange(lang, o, ctx);
  const q: RobotRangeQuery = { ...base, campaignId };
  // the platform's result codes include negative ones (-4 hung up, -3 line fault, -10 expired roster)
  const resultCode = intInRange(lang, o, 'resultCode', -2_147_483_648, 2_147_483_647, { optional: true });
  if (resultCode !== undefined) q.resultCode = resultCode;
  for (const f of ROBOT_STRINGS) {
    const v = optionalString(lang, o, f);
    if (v !== undefined) q[f] = v;
  }
  const isCount = boolString(lang, o, 'isCount', { optional: true });
  if (isCount !== undefined) q.isCount = isCount === 'true';
  return q;
}

/** Checks pageSize (1..100, default 100), concurrency (1..8, default 2) and maxRecords (default 100000). */
export function prepareRangeOptions(lang: Lang | undefined, input: unknown): RangeSettings {
  const o = asObject(input);
  return {
    pageSize: intInRange(lang, o, 'pageSize', 1, MAX_PAGE_SIZE, { optional: true }) ?? DEFAULT_PAGE_SIZE,
    concurrency: intInRange(lang, o, 'concurrency', 1, MAX_CONCURRENCY, { optional: true }) ?? DEFAULT_CONCURRENCY,
    maxRecords: intInRange(lang, o, 'maxRecords', 1, MAX_MAX_RECORDS, { optional: true }) ?? DEFAULT_MAX_RECORDS,
  };
}

/** Checks a callId (API.md 4). */
export function prepareCallId(lang: Lang | undefined, input: unknown): string {
  return requireString(lang, asObject(input), 'callId');
}

function callFetcher(client: Pick<WellcloudApi, 'queryCalls'>, q: CallRangeQuery): PageFetcher<CallRecord> {
  return (beginTime, endTime, p, s, signal) => {
    const query: CallQuery = { beginTime, endTime, isOrder: q.isOrder, domain: q.domain, p, s };
    if (q.ani !== undefined) query.ani = q.ani;
    if (q.dnis !== undefined) query.dnis = q.dnis;
    return client.queryCalls(query, { signal });
  };
}

function robotFetcher(client: Pick<WellcloudApi, 'queryRobotCalls'>, q: RobotRangeQuery): PageFetcher<RobotCallRecord> {
  return (beginTime, endTime, p, s, signal) => {
    const query: RobotCallQuery = { campaignId: q.campaignId, beginTime, endTime, isOrder: q.isOrder, isDownload: 0, domain: q.domain, p, s };
    for (const f of ['resultCode', 'ani', 'dnis', 'isCount', ...ROBOT_STRINGS] as const) {
      const v = q[f];
      if (v !== undefined) (query as unknown as Record<string, unknown>)[f] = v;
    }
    return client.queryRobotCalls(query, { signal });
  };
}

/** An iterable whose first step rejects with `error`: a range's every failure comes out of its iteration. */
async function* failing<T>(error: unknown): AsyncGenerator<T, void, undefined> {
  throw error;
}

/**
 * Every page of the calls in the range, in the requested order, each record once. The query is
 * checked as prepareCallRange does (times also as text, read in China time as queryCalls sends
 * them); a bad field fails the iteration with INVALID_INPUT naming it, before anything is sent.
 */
export function fetchCallRange(client: Pick<WellcloudApi, 'queryCalls'>, query: CallRangeQuery, opts: RangeEngineOptions = {}): AsyncIterable<RangePage<CallRecord>> {
  let q: CallRangeQuery;
  try {
    q = prepareCallRange(opts.lang, query);
  } catch (e) {
    return failing(e);
  }
  return fetchPagedRange(callFetcher(client, q), { begin: q.beginTime, end: q.endTime, isOrder: q.isOrder }, opts);
}

/** Every page of the robot calls in the range, in the requested order, each record once; checked as prepareRobotRange does. */
export function fetchRobotRange(client: Pick<WellcloudApi, 'queryRobotCalls'>, query: RobotRangeQuery, opts: RangeEngineOptions = {}): AsyncIterable<RangePage<RobotCallRecord>> {
  let q: RobotRangeQuery;
  try {
    q = prepareRobotRange(opts.lang, query);
  } catch (e) {
    return failing(e);
  }
  return fetchPagedRange(robotFetcher(client, q), { begin: q.beginTime, end: q.endTime, isOrder: q.isOrder }, opts);
}

/** The MAX_RECORDS error (nothing is output; the query stops). */
export function maxRecordsError(lang: Lang | undefined, max: number): WellcloudError {
  return new WellcloudError({ code: 'MAX_RECORDS', field: 'maxRecords', message: t(lang, 'cdr.maxRecords', { max }), details: { maxRecords: max } });
}

/**
 * Collects every record into one array. Fails with MAX_RECORDS as soon as the result is known
 * to exceed `maxRecords` (from the platform's total when the range is answered in one piece).
 */
export async function collectRecords<T>(pages: AsyncIterable<RangePage<T>>, maxRecords: number, lang?: Lang): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) {
    if (page.expectedRecords !== undefined && page.expectedRecords > maxRecords) throw maxRecordsError(lang, maxRecords);
    if (out.length + page.records.length > maxRecords) throw maxRecordsError(lang, maxRecords);
    for (const r of page.records) out.push(r);
  }
  return out;
}
