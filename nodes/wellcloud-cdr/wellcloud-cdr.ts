/**
 * wellcloud-cdr: call detail records. `call` reads one call by callId; `range` and `robot` read
 * every record of a time range (lib/cdr.ts pages through it and splits it as the platform
 * demands) and output them as one array, one message per page, or one message per record.
 */
import {
  collectRecords,
  fetchCallRange,
  fetchRobotRange,
  prepareCallId,
  prepareCallRange,
  prepareRangeOptions,
  prepareRobotRange,
  type RangePage,
  type RangeSettings,
} from '../../lib/cdr';
import { type ActionContext, type ActionResult, setupActionNode } from '../shared/action';
import { dialogFields, resolveFields } from '../shared/props';
import type { Node, NodeAPI, NodeDef } from '../shared/types';
import { SequenceSender } from './sequence';

const TYPE = 'wellcloud-cdr';
/**
 * Page mode puts page 1's count of pages on every message only up to this many pages (a million
 * records at 100 a page); a larger total (or a bogus one such as 1e300) gives the count on the last
 * message only, since pages it overstated are made up with empty ones.
 */
const MAX_ANNOUNCED_PAGES = 10_000;

const OPERATIONS = ['call', 'range', 'robot'] as const;
const OUTPUT_MODES = ['all', 'page', 'record'] as const;
type Operation = (typeof OPERATIONS)[number];
type OutputMode = (typeof OUTPUT_MODES)[number];

const PAGING = ['pageSize', 'concurrency', 'maxRecords'] as const;
const RANGE = ['beginTime', 'endTime', 'isOrder', 'domain', 'ani', 'dnis', ...PAGING] as const;
const ROBOT = ['campaignId', 'resultCode', 'groupCampaignId', 'batchId', 'batchName', 'rosterId', 'uuiKey', 'uuiValue', 'isCount'] as const;

/** The dialog (and msg.payload) fields each operation reads. */
const FIELDS: Readonly<Record<Operation, readonly string[]>> = {
  call: ['callId'],
  range: RANGE,
  robot: [...RANGE, ...ROBOT],
};

/** Where each required field can be given (for the "is required" errors). */
const CDR_SOURCES = { callId: 'payload', beginTime: 'payload', endTime: 'payload', campaignId: 'payload', domain: 'config' } as const;

interface CdrDef extends NodeDef {
  server?: string;
  operation?: string;
  outputMode?: string;
}

function pick<T extends string>(v: unknown, values: readonly T[], fallback: T): T {
  return values.includes(v as T) ? (v as T) : fallback;
}

type Pages = AsyncIterable<RangePage<Record<string, unknown>>>;

export = function register(RED: NodeAPI): void {
  function WellcloudCdrNode(this: Node, def: CdrDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const operation = pick(def.operation, OPERATIONS, 'range');
    const outputMode = pick(def.outputMode, OUTPUT_MODES, 'all');
    const config = def as unknown as Record<string, unknown>;
    const fields = dialogFields(config, FIELDS[operation]);

    const queryPages = async (ctx: ActionContext): Promise<{ pages: Pages; settings: RangeSettings }> => {
      const input = await resolveFields(RED, node, ctx.msg, fields);
      const prep = { timezone: ctx.server.timezone, domain: ctx.server.domain };
      // every field is checked before the first request
      const settings = prepareRangeOptions(ctx.lang, input);
      const opts = { concurrency: settings.concurrency, pageSize: settings.pageSize, signal: ctx.signal, lang: ctx.lang };
      const pages: Pages =
        operation === 'robot'
          ? fetchRobotRange(ctx.client, prepareRobotRange(ctx.lang, input, prep), opts)
          : fetchCallRange(ctx.client, prepareCallRange(ctx.lang, input, prep), opts);
      return { pages, settings };
    };

    const progress = (ctx: ActionContext, page: RangePage<unknown>, records: number): void => {
      const pages = page.expectedPages !== undefined ? `${page.page}/${page.expectedPages}` : String(page.page);
      ctx.progress(RED._('wellcloud-cdr.status.progress', { pages, records }));
    };

    /** Lets Node-RED deliver the messages sent so far before more are fetched (bounded memory). */
    const yieldToRuntime = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    const all = async (ctx: ActionContext, pages: Pages, settings: RangeSettings): Promise<ActionResult> => {
      let seen = 0;
      const counted = (async function* () {
        for await (const page of pages) {
          seen += page.records.length;
          progress(ctx, page, seen);
          yield page;
        }
      })();
      const records = await collectRecords(counted, settings.maxRecords, ctx.lang);
      return { payload: records, set: { count: records.length }, status: RED._('wellcloud-cdr.status.records', { count: records.length }) };
    };

    const sentStatus = (count: number): ActionResult => ({ sent: true, status: RED._('wellcloud-cdr.status.records', { count }) });

    const byPage = async (ctx: ActionContext, pages: Pages, settings: RangeSettings): Promise<ActionResult> => {
      // the Join node concatenates the arrays of a sequence only when parts.len > 1 (len 1 is the
      // Split node's "one element per message"), so pages of pageSize 1 still announce 2
      const seq = new SequenceSender(RED, ctx.msg, ctx.send, Math.max(2, settings.pageSize));
      let records = 0;
      // the count page 1's total announces, put on every message; a Join keeps the first count it sees
      let announced: number | undefined;
      for await (const page of pages) {
        if (page.expectedPages !== undefined) {
          if (announced === undefined && page.expectedPages <= MAX_ANNOUNCED_PAGES) seq.knowCount((announced = page.expectedPages));
        } else if (page.records.length === 0) continue; // an emptied piece of a split range
        records += page.records.length;
        seq.add(page.records);
        progress(ctx, page, records);
        await yieldToRuntime();
      }
      // a total that overstated the records ends in an empty page before the announced count: the
      // pages left are sent empty, so the count every message carries holds and a Join completes
      if (announced !== undefined) while (seq.size < announced) seq.add([]);
      if (seq.size === 0) seq.add([]);
      seq.finish();
      return sentStatus(records);
    };

    const byRecord = async (ctx: ActionContext, pages: Pages): Promise<ActionResult> => {
      const seq = new SequenceSender(RED, ctx.msg, ctx.send);
      for await (const page of pages) {
        // on the last page every remaining record is in hand: the count is known
        if (page.last) seq.knowCount(seq.size + page.records.length);
        for (const record of page.records) seq.add(record);
        progress(ctx, page, seq.size);
        await yieldToRuntime();
      }
      seq.finish();
      return sentStatus(seq.size);
    };

    setupActionNode(RED, node, def, async (ctx): Promise<ActionResult | void> => {
      if (operation === 'call') {
        const input = await resolveFields(RED, node, ctx.msg, fields);
        const callId = prepareCallId(ctx.lang, input);
        return { payload: await ctx.client.getCall(callId, { signal: ctx.signal }) };
      }
      const { pages, settings } = await queryPages(ctx);
      if (outputMode === 'all') return all(ctx, pages, settings);
      if (outputMode === 'page') return byPage(ctx, pages, settings);
      return byRecord(ctx, pages);
    }, { fieldSources: CDR_SOURCES });
  }

  RED.nodes.registerType(TYPE, WellcloudCdrNode);
};
