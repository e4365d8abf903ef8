/**
 * Call detail records: one call, calls by time range, robot calls (guide §4.4-4.6).
 * Range checks run in the guide's order: parameter format (400) -> begin after end (14004)
 * -> span too large (14001) -> crosses a partition (14015, naming the split point).
 */
import type { Ctx } from './context';
import { badParam, business, MESSAGES, Service } from './errors';
import { sendJson } from './http-util';
import type { CallStore } from './data';
import type { SimCall } from './records';
import { DAY_MS, chinaDayStart, chinaMonthStart, formatChina, nextChinaMonthStart, parseChina } from './time';
import type { Partition, ResolvedOptions } from './types';

const SERVICE: Service = 'cdr';

// ---- parameter readers (throw 400 naming the parameter) ----

export function required(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v.trim() === '') throw badParam(SERVICE, `${name}不能为空`);
  return v;
}

function optional(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null || v === '' ? undefined : v;
}

function timeParam(q: URLSearchParams, name: string): number {
  const v = required(q, name);
  const ms = parseChina(v);
  if (ms === undefined) throw badParam(SERVICE, `${name}格式应为yyyy-MM-dd HH:mm:ss，实际为"${v}"`);
  return ms;
}

/** One of the allowed integer values. */
export function choiceParam(q: URLSearchParams, name: string, allowed: number[], service: Service = SERVICE): number {
  const v = q.get(name);
  if (v === null || v === '') throw badParam(service, `${name}不能为空`);
  const n = Number(v);
  if (!/^\d+$/.test(v) || !allowed.includes(n)) throw badParam(service, `${name}取值应为${allowed.join('或')}，实际为"${v}"`);
  return n;
}

function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const v = optional(q, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min || n > max) {
    throw badParam(SERVICE, max === Infinity ? `${name}应为不小于${min}的整数，实际为"${v}"` : `${name}应为${min}到${max}之间的整数，实际为"${v}"`);
  }
  return n;
}

function domainParam(q: URLSearchParams, opts: ResolvedOptions): string {
  const d = required(q, 'domain');
  if (d !== opts.domain) throw badParam(SERVICE, `domain不属于当前租户：${d}`);
  return d;
}

// ---- range rules ----

function partitionEnd(ms: number, partition: Partition): number | null {
  if (partition === 'month') return nextChinaMonthStart(ms);
  if (partition === 'day') return chinaDayStart(ms) + DAY_MS;
  return null;
}

function partitionStart(ms: number, partition: Partition): number {
  return partition === 'month' ? chinaMonthStart(ms) : chinaDayStart(ms);
}

export function checkRange(begin: number, end: number, opts: ResolvedOptions): void {
  if (begin > end) throw business(SERVICE, 14004);
  if (end - begin > opts.maxSpanMs) {
    const days = Math.round((opts.maxSpanMs / DAY_MS) * 100) / 100;
    throw business(SERVICE, 14001, `${MESSAGES[14001]}，最长${days}天`);
  }
  if (opts.partition === 'none') return;
  if (partitionStart(begin, opts.partition) !== partitionStart(end, opts.partition)) {
    const split = partitionEnd(begin, opts.partition) as number;
    throw business(SERVICE, 14015, `${MESSAGES[14015]}，请以${formatChina(split)}时间点分为两次查询`);
  }
}

// ---- paging ----

interface Paging {
  p: number;
  s: number;
}

function pagingParams(q: URLSearchParams): Paging {
  return { p: intParam(q, 'p', 1, 1, Infinity), s: intParam(q, 's', 10, 1, 100) };
}

function byBeginThenId(a: SimCall, b: SimCall): number {
  return a.beginMs - b.beginMs || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

function ordered(calls: SimCall[], isOrder: number): SimCall[] {
  const sorted = calls.sort(byBeginThenId);
  return isOrder === 1 ? sorted : sorted.reverse();
}

/**
 * The ordered result of the last few range queries, so that paging through a large range costs a
 * slice per page instead of a range scan and a sort of every call in it (O(N log N) per page:
 * ~100 ms for 100,000 calls). Keyed by every parameter but p and s, dropped when the store changes.
 */
const ORDERED_CACHE_LIMIT = 8;
const orderedCaches = new WeakMap<CallStore, Map<string, { version: number; items: unknown[] }>>();

function cachedOrdered<T>(store: CallStore, key: string, compute: () => T[]): T[] {
  let cache = orderedCaches.get(store);
  if (!cache) {
    cache = new Map();
    orderedCaches.set(store, cache);
  }
  const hit = cache.get(key);
  if (hit && hit.version === store.version) return hit.items as T[];
  const items = compute();
  cache.delete(key);
  if (cache.size >= ORDERED_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, { version: store.version, items });
  return items;
}

function queryKey(kind: string, q: URLSearchParams): string {
  const entries = [...q.entries()].filter(([k]) => k !== 'p' && k !== 's').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${kind}?${new URLSearchParams(entries).toString()}`;
}

function page<T>(items: T[], paging: Paging, withTotal: boolean): { total?: number; list: T[] } {
  const start = (paging.p - 1) * paging.s;
  const list = items.slice(start, start + paging.s);
  return withTotal && paging.p === 1 ? { total: items.length, list } : { list };
}

// ---- handlers ----

export function getCall(ctx: Ctx): void {
  const call = ctx.env.store.get(ctx.params[0] ?? '');
  if (!call) throw business(SERVICE, 14011);
  sendJson(ctx.res, 200, call.detail);
}

export function queryCalls(ctx: Ctx): void {
  const { query: q, env } = ctx;
  const begin = timeParam(q, 'beginTime');
  const end = timeParam(q, 'endTime');
  const isOrder = choiceParam(q, 'isOrder', [0, 1]);
  domainParam(q, env.options);
  const paging = pagingParams(q);
  const ani = optional(q, 'ani');
  const dnis = optional(q, 'dnis');
  checkRange(begin, end, env.options);
  const items = cachedOrdered(env.store, queryKey('calls', q), () => {
    const calls = env.store
      .range(begin, end)
      .filter((c) => (ani === undefined || c.listItem.ani === ani) && (dnis === undefined || c.listItem.dnis === dnis));
    return ordered(calls, isOrder).map((c) => c.listItem);
  });
  sendJson(ctx.res, 200, page(items, paging, true));
}

interface RobotFilters {
  campaignId: string;
  resultCode?: number;
  groupCampaignId?: string;
  batchId?: string;
  batchName?: string;
  ani?: string;
  dnis?: string;
  rosterId?: string;
  uuiKey?: string;
  uuiValue?: string;
}

function robotFilters(q: URLSearchParams): RobotFilters {
  const f: RobotFilters = { campaignId: required(q, 'campaignId') };
  const rc = optional(q, 'resultCode');
  if (rc !== undefined) {
    if (!/^-?\d+$/.test(rc)) throw badParam(SERVICE, `resultCode应为整数，实际为"${rc}"`);
    f.resultCode = Number(rc);
  }
  for (const k of ['groupCampaignId', 'batchId', 'batchName', 'ani', 'dnis', 'rosterId', 'uuiKey', 'uuiValue'] as const) {
    const v = optional(q, k);
    if (v !== undefined) f[k] = v;
  }
  return f;
}

function uuiMatches(uui: Record<string, string>, key: string | undefined, value: string | undefined): boolean {
  if (key === undefined) return value === undefined || Object.values(uui).some((v) => v.includes(value));
  const v = uui[key];
  return v !== undefined && (value === undefined || v.includes(value));
}

function robotMatches(c: SimCall, f: RobotFilters): boolean {
  const r = c.robot;
  if (!r) return false;
  const j = r.json;
  return (
    j.campaignId === f.campaignId &&
    (f.resultCode === undefined || r.filter.resultCode === f.resultCode) &&
    (f.groupCampaignId === undefined || r.filter.groupCampaignId === f.groupCampaignId) &&
    (f.batchId === undefined || j.batchId === f.batchId) &&
    (f.batchName === undefined || j.batchName === f.batchName) &&
    (f.ani === undefined || j.ani === f.ani) &&
    (f.dnis === undefined || j.dnis === f.dnis) &&
    (f.rosterId === undefined || j.rosterId === f.rosterId) &&
    uuiMatches(r.filter.uui, f.uuiKey, f.uuiValue)
  );
}

function isCountParam(q: URLSearchParams): boolean {
  const v = optional(q, 'isCount');
  if (v === undefined) return true;
  if (v !== 'true' && v !== 'false') throw badParam(SERVICE, `isCount取值应为true或false，实际为"${v}"`);
  return v === 'true';
}

export function queryRobotCalls(ctx: Ctx): void {
  const { query: q, env } = ctx;
  const filters = robotFilters(q);
  const begin = timeParam(q, 'beginTime');
  const end = timeParam(q, 'endTime');
  const isOrder = choiceParam(q, 'isOrder', [0, 1]);
  const isDownload = choiceParam(q, 'isDownload', [0, 1]);
  domainParam(q, env.options);
  const isCount = isCountParam(q);
  const paging = pagingParams(q);
  if (isDownload === 1) throw badParam(SERVICE, 'isDownload=1（下载）在沙箱中不支持，请使用isDownload=0分页查询');
  checkRange(begin, end, env.options);
  const items = cachedOrdered(env.store, queryKey('robot', q), () => {
    const calls = env.store.range(begin, end).filter((c) => robotMatches(c, filters));
    return ordered(calls, isOrder).map((c) => (c.robot as NonNullable<SimCall['robot']>).json);
  });
  sendJson(ctx.res, 200, page(items, paging, isCount));
}
