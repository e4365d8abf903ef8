/**
 * The paging and range-splitting engine of the CDR queries (API.md 5 and 6), without Node-RED.
 *
 * A query for a time range becomes an ordered list of sub-ranges. Every sub-range is asked for
 * page 1 first (which carries `total`), then for its remaining pages. When the platform refuses a
 * sub-range, it is split and the pieces take its place:
 * - 14015 (the range crosses a database partition): at the time point the error message names,
 *   else at the next month boundary, else in the middle;
 * - 14001 (the span is too large): into pieces shorter than the smallest span refused so far,
 *   down to `minSpanMs`, below which the platform error is thrown.
 * What is learned (partition points, the largest span the platform accepts) applies to every
 * later sub-range of the same query, so it is not probed again.
 *
 * Split sub-ranges share their split second ([b, T] + [T, e]) so no record is lost whether the
 * platform's end is inclusive or exclusive; records on a shared second are de-duplicated by
 * callId. When the platform refuses [b, T] because T itself is in the next partition, the piece
 * becomes [b, T-1s] and later partition splits are made that way directly.
 *
 * Pages are fetched `concurrency` at a time (page 1 of later sub-ranges included) and yielded in
 * the requested order (isOrder 1: oldest first, 0: newest first). No more than `concurrency` pages
 * are ever fetched ahead of the consumer.
 */
import { WellcloudError, isWellcloudError } from './errors';
import './cdr-messages';
import { type Lang, t } from './i18n';
import type { Page } from './types';
import { PLATFORM_TIME_ZONE, formatPlatformTime, parseTimeInput } from './time';

const SECOND = 1000;
/** Default smallest span that is still halved on 14001: one minute. */
export const DEFAULT_MIN_SPAN_MS = 60 * SECOND;
/** Safety net against a platform that keeps refusing: sub-ranges created in one query. */
const MAX_SUB_RANGES = 100_000;

/** Asks the platform for one page of the sub-range [beginTime, endTime] (platform time strings). */
export type PageFetcher<T> = (beginTime: string, endTime: string, p: number, s: number, signal: AbortSignal) => Promise<Page<T>>;

export interface SplitInfo {
  /** Why: the platform error code that caused the split. */
  reason: '14001' | '14015';
  /** The refused sub-range (platform time). */
  beginTime: string;
  endTime: string;
  /** The pieces it became, in fetch order. */
  pieces: Array<{ beginTime: string; endTime: string }>;
}

export interface RangeEngineOptions {
  /** Pages fetched at once, 1..8 (default 2). */
  concurrency?: number;
  /** Records per page `s`, 1..100 (default 100). */
  pageSize?: number;
  signal?: AbortSignal;
  /** Smallest span halved on 14001 (default one minute). */
  minSpanMs?: number;
  /** Language of the engine's own errors (default en-US). */
  lang?: Lang;
  /** Called after every split (progress, debugging). */
  onSplit?: (info: SplitInfo) => void;
}

/** Inclusive time range in whole seconds (epoch ms). */
export interface TimeRange {
  begin: Date | number;
  end: Date | number;
  /** 1 oldest first, 0 newest first. */
  isOrder: 0 | 1;
}

export interface RangePage<T> {
  /** The page's records after de-duplication (may be empty). */
  records: T[];
  /** 1-based position of this page in the whole result. */
  page: number;
  /** The sub-range this page belongs to (platform time) and its page number `p` there. */
  beginTime: string;
  endTime: string;
  rangePage: number;
  /** The platform's `total` of this sub-range (from its page 1), when it sent one. */
  rangeTotal?: number;
  /**
   * Number of pages and records of the whole result, when known before the result is complete
   * (the range was answered in one piece and page 1 carried `total`).
   */
  expectedPages?: number;
  expectedRecords?: number;
  /** True on the last page of the result. */
  last: boolean;
}

interface Span {
  begin: number;
  end: number;
}

type Outcome<T> = { ok: true; page: Page<T> } | { ok: false; error: unknown };

interface Slot<T> {
  span: Span;
  p: number;
  /** The sub-range had no total: a full page means another page may follow. */
  walk?: boolean;
  /**
   * Pages `p`..`last` of a sub-range whose page 1 announced them: the slot after `p` is made only
   * when `p` is started, so a huge `total` never becomes a huge list.
   */
  last?: number;
  outcome?: Promise<Outcome<T>>;
}

const floorSecond = (ms: number): number => Math.floor(ms / SECOND) * SECOND;

function toMs(v: Date | number): number {
  return v instanceof Date ? v.getTime() : v;
}

function platformTime(ms: number): string {
  return formatPlatformTime(new Date(ms), PLATFORM_TIME_ZONE);
}

/** `yyyy-MM-dd HH:mm:ss` of a record time in any of the platform's spellings, else undefined. */
const RECORD_TIME = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})/;
function canonicalSecond(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = RECORD_TIME.exec(v.trim());
  if (!m) return undefined;
  const p2 = (s: string | undefined): string => (s ?? '').padStart(2, '0');
  return `${m[1]}-${p2(m[2])}-${p2(m[3])} ${p2(m[4])}:${m[5]}:${m[6]}`;
}

export function hasPlatformCode(err: unknown, code: number): err is WellcloudError {
  return isWellcloudError(err) && err.errorCode !== undefined && String(err.errorCode) === String(code);
}

/** The time point a 14015 message names (`...请以2025-03-01 00:00:00时间点分为两次查询`), read in China time. */
const NAMED_POINT = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?/;
export function namedSplitPoint(err: WellcloudError): number | undefined {
  for (const text of [err.errorMessage, err.message]) {
    const m = typeof text === 'string' ? NAMED_POINT.exec(text) : null;
    if (!m) continue;
    const p2 = (s: string | undefined): string => (s ?? '0').padStart(2, '0');
    const iso = `${m[1]}-${p2(m[2])}-${p2(m[3])} ${p2(m[4])}:${p2(m[5])}:${p2(m[6])}`;
    try {
      return floorSecond(parseTimeInput(iso, PLATFORM_TIME_ZONE).getTime());
    } catch {
      // not a real date (e.g. month 13): try the next text
    }
  }
  return undefined;
}

/**
 * The first instant of the China month after the one holding `ms`; +Infinity when there is none the
 * platform's text can hold (after December 9999, or `ms` outside the years 0000 to 9999).
 */
export function nextMonthStart(ms: number): number {
  const m = /^(\d{4})-(\d{2})-/.exec(platformTime(ms));
  if (!m) return Number.POSITIVE_INFINITY;
  const y = Number(m[1]);
  const month = Number(m[2]);
  const year = month === 12 ? y + 1 : y;
  if (year > 9999) return Number.POSITIVE_INFINITY;
  // four digits, as the text is read: year 500 is "0500"
  return parseTimeInput(`${String(year).padStart(4, '0')}-${String(month === 12 ? 1 : month + 1).padStart(2, '0')}-01 00:00:00`, PLATFORM_TIME_ZONE).getTime();
}

/**
 * Fetches every page of `range` through `fetchPage`, splitting it as the platform demands.
 * Iterate it with `for await`; breaking out of the loop cancels the requests in flight.
 */
export function fetchPagedRange<T>(fetchPage: PageFetcher<T>, range: TimeRange, opts: RangeEngineOptions = {}): AsyncIterable<RangePage<T>> {
  return { [Symbol.asyncIterator]: () => new RangeEngine(fetchPage, range, opts).run() };
}

class RangeEngine<T> {
  private readonly concurrency: number;
  private readonly pageSize: number;
  private readonly minSpan: number;
  private readonly asc: boolean;
  private readonly controller = new AbortController();
  private readonly slots: Array<Slot<T>> = [];
  private started = 0;
  private created = 0;
  private split = false;
  /** Learned: partition points (sorted) and whether a piece must end 1 s before its point. */
  private readonly points: number[] = [];
  private strictPointEnds = false;
  /** Learned: the partitions are calendar months (a named point was a month start). */
  private monthly = false;
  /** Learned: the smallest span refused with 14001. */
  private refusedSpan = Number.POSITIVE_INFINITY;
  /** Shared split seconds (platform time) and the callIds seen on them. */
  private readonly sharedSeconds = new Set<string>();
  private readonly seenOnShared = new Set<string>();
  private expectedPages?: number;
  private expectedRecords?: number;
  private emitted = 0;

  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly range: TimeRange,
    private readonly opts: RangeEngineOptions,
  ) {
    this.concurrency = clampInt(opts.concurrency, 1, 8, 2);
    this.pageSize = clampInt(opts.pageSize, 1, 100, 100);
    this.minSpan = Math.max(SECOND, opts.minSpanMs ?? DEFAULT_MIN_SPAN_MS);
    this.asc = range.isOrder !== 0;
  }

  async *run(): AsyncGenerator<RangePage<T>, void, undefined> {
    const outer = this.opts.signal;
    const onAbort = (): void => this.controller.abort();
    if (outer?.aborted) this.controller.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    try {
      const begin = floorSecond(toMs(this.range.begin));
      const end = floorSecond(toMs(this.range.end));
      this.addSpans(0, [{ begin, end }]);
      while (this.slots.length > 0) {
        const page = await this.next();
        if (page) yield page;
      }
    } finally {
      outer?.removeEventListener('abort', onAbort);
      // stops whatever is still in flight when the consumer leaves early or on error
      this.controller.abort();
    }
  }

  /** Consumes the first slot: a page to yield, or undefined when the slot was split. */
  private async next(): Promise<RangePage<T> | undefined> {
    this.fill();
    const slot = this.slots[0] as Slot<T>;
    const outcome = await (slot.outcome as Promise<Outcome<T>>);
    this.slots.shift();
    this.started--;
    if (this.controller.signal.aborted) throw this.abortError(outcome);
    if (!outcome.ok) {
      this.recover(slot, outcome.error);
      return undefined;
    }
    const page = outcome.page;
    const list = Array.isArray(page.list) ? page.list : [];
    if (slot.p === 1) this.afterFirstPage(slot.span, page.total, list.length);
    else if (slot.walk && list.length >= this.pageSize) this.slots.unshift({ span: slot.span, p: slot.p + 1, walk: true });
    else if (list.length === 0) this.dropFollowing(slot.span);
    this.emitted++;
    const out: RangePage<T> = {
      records: this.dedupe(list),
      page: this.emitted,
      beginTime: platformTime(slot.span.begin),
      endTime: platformTime(slot.span.end),
      rangePage: slot.p,
      last: this.slots.length === 0,
    };
    if (slot.p === 1 && typeof page.total === 'number') out.rangeTotal = page.total;
    if (this.expectedPages !== undefined) out.expectedPages = this.expectedPages;
    if (this.expectedRecords !== undefined) out.expectedRecords = this.expectedRecords;
    return out;
  }

  /** The error to throw when aborted: the client's own ABORTED error when it gave one. */
  private abortError(outcome: Outcome<T>): unknown {
    if (!outcome.ok && isWellcloudError(outcome.error) && outcome.error.code === 'ABORTED') return outcome.error;
    return new WellcloudError({ code: 'ABORTED', message: t(this.opts.lang, 'net.ABORTED') });
  }

  /** Pages 2..N of a sub-range go right after its page 1. */
  private afterFirstPage(span: Span, total: number | undefined, got: number): void {
    let s = this.pageSize;
    if (typeof total === 'number' && Number.isFinite(total) && total >= 0) {
      // a page 1 shorter than asked although more records exist: the deployment pages by a smaller
      // size than `s` (it caps it). Its pages are counted in its own size, or records would be skipped.
      if (got > 0 && got < s && got < total) s = got;
      const pages = Math.max(1, Math.ceil(total / s));
      const alone = this.slots.length === 0;
      if (pages >= 2) this.slots.unshift({ span, p: 2, last: pages });
      if (!this.split && alone) {
        this.expectedPages = pages;
        this.expectedRecords = total;
      }
    } else if (got >= s) {
      // no total: walk on page by page until a short page
      this.slots.unshift({ span, p: 2, walk: true });
    }
  }

  /**
   * An empty page after page 1 ends its sub-range, whatever page 1's `total` announced: the
   * platform has no more records there (or its total was wrong), and a `total` of 1e300 must not
   * make the query ask for empty pages without end. Pages of it fetched ahead are dropped unread.
   */
  private dropFollowing(span: Span): void {
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const s = this.slots[i] as Slot<T>;
      if (s.span !== span || s.p === 1) continue;
      // a dropped fetch still in flight counts against `concurrency` until it settles
      if (s.outcome) void s.outcome.then(() => this.started--);
      this.slots.splice(i, 1);
    }
  }

  /** Starts fetches in output order while fewer than `concurrency` are outstanding. */
  private fill(): void {
    for (let i = 0; i < this.slots.length && (this.started < this.concurrency || i === 0); i++) {
      let slot = this.slots[i] as Slot<T>;
      if (slot.outcome) continue;
      if (slot.last !== undefined) {
        // the next announced page of the sub-range waits right behind this one
        if (slot.last > slot.p) this.slots.splice(i + 1, 0, { span: slot.span, p: slot.p + 1, last: slot.last });
        delete slot.last;
      }
      if (slot.p === 1) {
        // learned limits apply before asking, so a known refusal is not probed again
        const pieces = this.applyLearned(slot.span);
        if (pieces.length > 1) {
          this.count(pieces.length);
          this.slots.splice(i, 1, ...this.orderedSlots(pieces));
          slot = this.slots[i] as Slot<T>;
        }
      }
      this.start(slot);
    }
  }

  private start(slot: Slot<T>): void {
    this.started++;
    const { begin, end } = slot.span;
    slot.outcome = this.fetchPage(platformTime(begin), platformTime(end), slot.p, this.pageSize, this.controller.signal).then(
      (page): Outcome<T> => ({ ok: true, page }),
      (error: unknown): Outcome<T> => ({ ok: false, error }),
    );
  }

  /** A refused page 1 is replaced by its pieces; anything else is thrown. */
  private recover(slot: Slot<T>, error: unknown): void {
    if (slot.p !== 1) throw error;
    let pieces: Span[] | undefined;
    let reason: SplitInfo['reason'] | undefined;
    if (hasPlatformCode(error, 14015)) {
      pieces = this.splitForPartition(slot.span, error);
      reason = '14015';
    } else if (hasPlatformCode(error, 14001)) {
      pieces = this.splitForSpan(slot.span);
      reason = '14001';
    }
    if (!pieces || !reason || noProgress(slot.span, pieces)) throw error;
    this.count(pieces.length);
    this.split = true;
    this.addSpans(0, pieces);
    this.opts.onSplit?.({
      reason,
      beginTime: platformTime(slot.span.begin),
      endTime: platformTime(slot.span.end),
      pieces: this.ordered(pieces).map((p) => ({ beginTime: platformTime(p.begin), endTime: platformTime(p.end) })),
    });
  }

  /** Counts sub-ranges made; a platform that keeps refusing cannot make the query run forever. */
  private count(pieces: number): void {
    this.created += pieces;
    if (this.created > MAX_SUB_RANGES) {
      throw new WellcloudError({ code: 'SPLIT_LIMIT', message: t(this.opts.lang, 'cdr.splitLimit', { max: MAX_SUB_RANGES }) });
    }
  }

  private splitForPartition(span: Span, error: WellcloudError): Span[] | undefined {
    const inside = (p: number | undefined): p is number => p !== undefined && p > span.begin && p <= span.end;
    const named = namedSplitPoint(error);
    const month = nextMonthStart(span.begin);
    const point = inside(named) ? named : inside(month) ? month : undefined;
    if (point === undefined) return this.halve(span);
    // [b, T] refused although T is its end: T lies in the next partition, the platform's ends are inclusive
    if (point === span.end) this.strictPointEnds = true;
    this.learnPoint(point);
    return this.applyLearned(span);
  }

  private splitForSpan(span: Span): Span[] | undefined {
    const length = span.end - span.begin;
    if (length < this.minSpan) return undefined;
    this.refusedSpan = Math.min(this.refusedSpan, length);
    return this.applyLearned(span);
  }

  private learnPoint(point: number): void {
    // a month start as partition point: the partitions are months, every month start is one
    if (platformTime(point).endsWith('-01 00:00:00')) this.monthly = true;
    if (this.points.includes(point)) return;
    this.points.push(point);
    this.points.sort((a, b) => a - b);
  }

  /** Learned partition points inside (begin, end], month starts included once months are known. */
  private pointsIn(span: Span): number[] {
    const out = this.points.filter((p) => p > span.begin && p <= span.end);
    if (this.monthly) {
      for (let m = nextMonthStart(span.begin); m <= span.end; m = nextMonthStart(m)) if (!out.includes(m)) out.push(m);
    }
    return out.sort((a, b) => a - b);
  }

  private halve(span: Span): Span[] | undefined {
    const length = span.end - span.begin;
    if (length < this.minSpan) return undefined;
    const mid = floorSecond(span.begin + length / 2);
    return [this.share({ begin: span.begin, end: mid }), { begin: mid, end: span.end }];
  }

  /** Splits a span at learned partition points, then into pieces shorter than the refused span. */
  private applyLearned(span: Span): Span[] {
    const byPoint: Span[] = [];
    let begin = span.begin;
    for (const point of this.pointsIn(span)) {
      if (!this.strictPointEnds) {
        // [b, T] + [T, e]; a piece ending at T is fine as it is
        if (point === span.end) continue;
        byPoint.push(this.share({ begin, end: point }));
      } else {
        // [b, T-1s] + [T, e]; second T is already covered when a neighbour starts there
        byPoint.push({ begin, end: point - SECOND });
        if (point === span.end && this.sharedSeconds.has(platformTime(point))) return byPoint.flatMap((s) => this.bySpan(s));
      }
      begin = point;
    }
    byPoint.push({ begin, end: span.end });
    return byPoint.flatMap((s) => this.bySpan(s));
  }

  private bySpan(span: Span): Span[] {
    const length = span.end - span.begin;
    if (length < this.refusedSpan) return [span];
    const piece = Math.max(SECOND, floorSecond(this.refusedSpan / 2));
    if (length < this.minSpan || piece >= length) return [span];
    const n = Math.ceil(length / piece);
    const out: Span[] = [];
    let begin = span.begin;
    for (let i = 1; i < n; i++) {
      const cut = floorSecond(span.begin + (length * i) / n);
      if (cut <= begin) continue;
      out.push(this.share({ begin, end: cut }));
      begin = cut;
    }
    out.push({ begin, end: span.end });
    return out;
  }

  /** Marks the end of a piece as a second shared with the next piece. */
  private share(span: Span): Span {
    this.sharedSeconds.add(platformTime(span.end));
    return span;
  }

  private ordered(spans: Span[]): Span[] {
    return this.asc ? spans : [...spans].reverse();
  }

  private orderedSlots(spans: Span[]): Array<Slot<T>> {
    return this.ordered(spans).map((span) => ({ span, p: 1 }));
  }

  private addSpans(at: number, spans: Span[]): void {
    this.slots.splice(at, 0, ...this.orderedSlots(spans));
  }

  /** Drops records already yielded from a neighbouring piece (only those on a shared second). */
  private dedupe(list: T[]): T[] {
    if (this.sharedSeconds.size === 0) return list;
    return list.filter((r) => {
      if (r === null || typeof r !== 'object') return true;
      const rec = r as { callId?: unknown; beginTime?: unknown };
      const second = canonicalSecond(rec.beginTime);
      if (second !== undefined && !this.sharedSeconds.has(second)) return true;
      if (typeof rec.callId !== 'string' || !rec.callId) return true;
      if (this.seenOnShared.has(rec.callId)) return false;
      this.seenOnShared.add(rec.callId);
      return true;
    });
  }
}

function noProgress(span: Span, pieces: Span[]): boolean {
  const only = pieces[0];
  return pieces.length === 0 || (pieces.length === 1 && only !== undefined && only.begin === span.begin && only.end === span.end);
}

function clampInt(v: number | undefined, min: number, max: number, dflt: number): number {
  if (v === undefined || !Number.isFinite(v)) return dflt;
  return Math.min(max, Math.max(min, Math.floor(v)));
}
