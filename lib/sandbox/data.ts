/**
 * The sandbox's call store: seeded calls (deterministic from `seed`, generated per China day
 * on demand and cached), the well-known fixtures, and calls/recordings added at run time.
 *
 * Seeded data: `callsPerDay` calls a day over [dataFrom, dataTo], mostly between 08:00 and
 * 22:00, some sharing the same second; the first call of the first day of every month is at
 * 00:00:00 and the last call of the last day of every month at 23:59:59, so range splitting
 * at month boundaries is exercised. About 2 % of the calls have no recording (14012).
 */
import { DEMO_AGENTS, DEMO_CAMPAIGNS, DEMO_CAMPAIGN_ID, DemoCampaign, GUIDE_EXAMPLE_CALL_ID, NO_RECORDING_CALL_ID,
  OLD_RECORDING_ID, SAMPLE_CALL_ID, SAMPLE_RECORDING_ID, SAMPLE_RING_RECORDING_ID, SAMPLE_ROBOT_CALL_ID } from './demo';
import { buildCall, buildRecording, CallKind, CallParams, drawCall } from './generate';
import { hashString, mixSeed, mulberry32, randInt, Rng, uuidFrom, uuidPrefix, uuidPrefixFrom } from './random';
import { RecordingJson, SimCall, SimRecording } from './records';
import { chinaDayStart, chinaInstant, CHINA_OFFSET_MS, DAY_MS, formatCompact, isFirstDayOfMonth, isLastDayOfMonth, parseChina } from './time';

export interface StoreOptions {
  seed: number;
  callsPerDay: number;
  /** Seeded window, epoch ms, both inclusive. */
  fromMs: number;
  toMs: number;
  domain: string;
  /** Start of the China day the sample fixtures are dated on (default: yesterday). */
  fixtureDayMs?: number;
}

/** What a test may give to add a call; everything else is drawn from the call id. */
export interface AddCallInput {
  callId?: string;
  /** `yyyy-MM-dd HH:mm:ss` China time, epoch ms or a Date (default now). */
  beginTime?: string | number | Date;
  kind?: CallKind;
  /** Talk length in seconds; 0 = not answered. */
  talkLength?: number;
  ani?: string;
  dnis?: string;
  /** Number of recordings (0, 1 or 2; default 1). */
  recordings?: number;
  /** Robot calls: the campaign (default DEMO_CAMPAIGN_ID). */
  campaignId?: string;
  /** Plain overrides of the returned call fields (detail, list item and robot record). */
  fields?: Record<string, unknown>;
}

export interface AddRecordingInput {
  id?: string;
  callId?: string;
  /** Exact body size of the `format` rendition (rounded down to whole frames). */
  bytes: number;
  /** mp3 (default) or wav. */
  format?: 'mp3' | 'wav';
}

const DAY_CACHE_LIMIT = 200;
const NO_RECORDING_RATE = 0.02;

const dayNumber = (dayStart: number): number => Math.round((dayStart + CHINA_OFFSET_MS) / DAY_MS);

/**
 * Where the seeded ids are: an open-addressing table from an id's first 32 bits to its call's
 * position in the window ((day - firstDay) * callsPerDay + i), in two typed arrays (8 bytes a slot,
 * at most half of the slots used: 16 to 32 bytes an id, where a Map keyed by the id strings took
 * about 450). It is built from the draws alone, without making a string, and a lookup checks the
 * full id of every candidate, so ids that share their first 32 bits are told apart.
 */
class PrefixIndex {
  private prefixes = new Uint32Array(1024);
  /** Position + 1; 0 marks an empty slot. */
  private slots = new Uint32Array(1024);
  private count = 0;

  add(prefix: number, position: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    this.place(prefix, position + 1);
    this.count++;
  }

  /**
   * The last position (the highest) holding `prefix` for which `matches` is true, else -1. The last,
   * because an id drawn twice in the window (the generators have 32 bits of state, so a few ids of a
   * long window repeat) has always belonged to its later call.
   */
  find(prefix: number, matches: (position: number) => boolean): number {
    const mask = this.slots.length - 1;
    let found = -1;
    for (let s = prefix & mask; this.slots[s] !== 0; s = (s + 1) & mask) {
      const position = (this.slots[s] as number) - 1;
      if (this.prefixes[s] === prefix && position > found && matches(position)) found = position;
    }
    return found;
  }

  private place(prefix: number, slot: number): void {
    const mask = this.slots.length - 1;
    let s = prefix & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.prefixes[s] = prefix;
    this.slots[s] = slot;
  }

  private grow(): void {
    const { prefixes, slots } = this;
    this.prefixes = new Uint32Array(slots.length * 2);
    this.slots = new Uint32Array(slots.length * 2);
    for (let s = 0; s < slots.length; s++) if (slots[s] !== 0) this.place(prefixes[s] as number, slots[s] as number);
  }
}

export class CallStore {
  private readonly dayCache = new Map<number, SimCall[]>();
  private readonly extra = new Map<string, SimCall>();
  private changes = 0;
  private readonly extraRecordings = new Map<string, { call: SimCall; rec: SimRecording }>();
  private readonly fixtureIds = new Set<string>();
  private callIndex: PrefixIndex | null = null;
  private recordingIndex: PrefixIndex | null = null;
  private readonly firstDay: number;
  private readonly lastDay: number;

  constructor(readonly opts: StoreOptions) {
    this.firstDay = dayNumber(chinaDayStart(opts.fromMs));
    this.lastDay = dayNumber(chinaDayStart(opts.toMs));
    const fixtureDay = opts.fixtureDayMs ?? chinaDayStart(Date.now()) - DAY_MS;
    for (const call of fixtures(opts.domain, fixtureDay)) {
      this.fixtureIds.add(call.callId);
      this.putExtra(call);
    }
  }

  // ---- seeded ids (cheap, without generating the calls) ----

  private callIdRng(day: number, i: number): Rng {
    return mulberry32(mixSeed(this.opts.seed, day, i, 1));
  }

  private callIdFor(day: number, i: number): string {
    return uuidFrom(this.callIdRng(day, i));
  }

  /** The recording ids of seeded call i of a day, each made by `make` from the same draws. */
  private recordingDraws<T>(day: number, i: number, make: (rng: Rng) => T): T[] {
    const rng = mulberry32(mixSeed(this.opts.seed, day, i, 2));
    const x = rng();
    const n = x < NO_RECORDING_RATE ? 0 : x < 0.72 ? 1 : 2;
    return Array.from({ length: n }, () => make(rng));
  }

  private recordingIdsFor(day: number, i: number): string[] {
    return this.recordingDraws(day, i, uuidFrom);
  }

  private buildIndexes(): void {
    const calls = new PrefixIndex();
    const recs = new PrefixIndex();
    const perDay = this.opts.callsPerDay;
    for (let day = this.firstDay; day <= this.lastDay; day++) {
      for (let i = 0; i < perDay; i++) {
        const position = (day - this.firstDay) * perDay + i;
        calls.add(uuidPrefixFrom(this.callIdRng(day, i)), position);
        for (const prefix of this.recordingDraws(day, i, uuidPrefixFrom)) recs.add(prefix, position);
      }
    }
    this.callIndex = calls;
    this.recordingIndex = recs;
  }

  private index(): { calls: PrefixIndex; recs: PrefixIndex } {
    if (!this.callIndex || !this.recordingIndex) this.buildIndexes();
    return { calls: this.callIndex as PrefixIndex, recs: this.recordingIndex as PrefixIndex };
  }

  /** The seeded call (day, i) an id belongs to, by the index and `isIt` on the candidates; undefined when none. */
  private seededAt(id: string, kind: 'calls' | 'recs', isIt: (day: number, i: number) => boolean): { day: number; i: number } | undefined {
    const prefix = uuidPrefix(id);
    if (prefix === undefined) return undefined;
    const perDay = this.opts.callsPerDay;
    const at = (position: number): { day: number; i: number } => ({ day: this.firstDay + Math.floor(position / perDay), i: position % perDay });
    const position = this.index()[kind].find(prefix, (p) => {
      const { day, i } = at(p);
      return isIt(day, i);
    });
    return position < 0 ? undefined : at(position);
  }

  // ---- seeded days ----

  /** Seconds after midnight of each call of a day, ascending. */
  private daySeconds(day: number, dayStart: number): number[] {
    const rng = mulberry32(mixSeed(this.opts.seed, day, 0x5ec));
    const n = this.opts.callsPerDay;
    const secs = Array.from({ length: n }, () => randInt(rng, 8 * 3600, 22 * 3600 - 1)).sort((a, b) => a - b);
    for (let i = 1; i < n; i++) if (rng() < 1 / 15) secs[i] = secs[i - 1] as number;
    if (n > 0 && isFirstDayOfMonth(dayStart)) secs[0] = 0;
    if (n > 1 && isLastDayOfMonth(dayStart)) secs[n - 1] = 86399;
    if (n === 1 && isLastDayOfMonth(dayStart) && !isFirstDayOfMonth(dayStart)) secs[0] = 86399;
    return secs;
  }

  private batchFor = (campaign: DemoCampaign, beginMs: number): { batchId: string; batchName: string } => {
    const dayStart = chinaDayStart(beginMs);
    const rng = mulberry32(mixSeed(this.opts.seed, dayNumber(dayStart), hashString(campaign.id), 7));
    return { batchId: uuidFrom(rng), batchName: `${campaign.name}-${formatCompact(dayStart + 9 * 3600 * 1000 + randInt(rng, 0, 3599999))}` };
  };

  private generateDay(day: number): SimCall[] {
    const dayStart = day * DAY_MS - CHINA_OFFSET_MS;
    return this.daySeconds(day, dayStart).map((sec, i) => {
      const rng = mulberry32(mixSeed(this.opts.seed, day, i, 3));
      const params = drawCall(rng, {
        callId: this.callIdFor(day, i),
        beginMs: dayStart + sec * 1000,
        domain: this.opts.domain,
        recordingIds: this.recordingIdsFor(day, i),
        batchFor: this.batchFor,
      });
      return buildCall(params);
    });
  }

  private day(day: number): SimCall[] {
    const cached = this.dayCache.get(day);
    if (cached) {
      this.dayCache.delete(day);
      this.dayCache.set(day, cached);
      return cached;
    }
    const calls = this.generateDay(day);
    this.dayCache.set(day, calls);
    if (this.dayCache.size > DAY_CACHE_LIMIT) {
      const oldest = this.dayCache.keys().next().value;
      if (oldest !== undefined) this.dayCache.delete(oldest);
    }
    return calls;
  }

  private inWindow(call: SimCall): boolean {
    return call.beginMs >= this.opts.fromMs && call.beginMs <= this.opts.toMs;
  }

  // ---- lookups ----

  get(callId: string): SimCall | undefined {
    const extra = this.extra.get(callId);
    if (extra) return extra;
    const at = this.seededAt(callId, 'calls', (day, i) => this.callIdFor(day, i) === callId);
    if (!at) return undefined;
    const call = this.day(at.day)[at.i];
    return call && this.inWindow(call) ? call : undefined;
  }

  recording(id: string): { call: SimCall; rec: SimRecording } | undefined {
    const extra = this.extraRecordings.get(id);
    if (extra) return extra;
    const at = this.seededAt(id, 'recs', (day, i) => this.recordingIdsFor(day, i).includes(id));
    if (!at) return undefined;
    const call = this.day(at.day)[at.i];
    const rec = call && this.inWindow(call) ? call.recordings.find((r) => r.json.id === id) : undefined;
    return call && rec ? { call, rec } : undefined;
  }

  /** Every call whose beginTime lies in [beginMs, endMs] (unsorted). */
  range(beginMs: number, endMs: number): SimCall[] {
    const out: SimCall[] = [];
    const from = Math.max(beginMs, this.opts.fromMs);
    const to = Math.min(endMs, this.opts.toMs);
    if (from <= to) {
      const first = Math.max(this.firstDay, dayNumber(chinaDayStart(from)));
      const last = Math.min(this.lastDay, dayNumber(chinaDayStart(to)));
      for (let day = first; day <= last; day++) {
        for (const call of this.day(day)) {
          // a seeded call replaced at run time (addRecording, addCall with its id) is taken from `extra`
          if (call.beginMs >= from && call.beginMs <= to && !this.extra.has(call.callId)) out.push(call);
        }
      }
    }
    for (const call of this.extra.values()) if (call.beginMs >= beginMs && call.beginMs <= endMs) out.push(call);
    return out;
  }

  /** Calls added at run time (tests, simulated calls, addRecording), in insertion order; no fixtures. */
  added(): SimCall[] {
    return [...this.extra.values()].filter((c) => !this.fixtureIds.has(c.callId));
  }

  // ---- additions ----

  put(call: SimCall): SimCall {
    this.putExtra(call);
    return call;
  }

  /** Bumped on every change of the stored calls (lets query results be cached). */
  get version(): number {
    return this.changes;
  }

  private putExtra(call: SimCall): void {
    this.changes++;
    this.extra.set(call.callId, call);
    for (const rec of call.recordings) this.extraRecordings.set(rec.json.id, { call, rec });
  }

  addCall(input: AddCallInput): SimCall {
    const callId = input.callId ?? uuidFrom(mulberry32(hashString(`${Date.now()}:${Math.random()}`)));
    const rng = mulberry32(mixSeed(this.opts.seed, hashString(callId)));
    const nRec = input.recordings ?? 1;
    const params = drawCall(rng, {
      callId,
      beginMs: toEpoch(input.beginTime),
      domain: this.opts.domain,
      recordingIds: Array.from({ length: Math.max(0, Math.min(2, nRec)) }, () => uuidFrom(rng)),
      ...(input.kind ? { kind: input.kind } : {}),
    });
    const adjusted = adjustParams(params, input);
    const call = applyFields(buildCall(adjusted), input.fields);
    return this.put(call);
  }

  /**
   * Registers a synthetic recording whose `format` body is exactly `bytes` long (rounded
   * down to whole frames). Its call is created when unknown. Start time: now.
   */
  addRecording(input: AddRecordingInput): RecordingJson {
    const format = input.format === 'wav' ? 'WAV' : 'MP3';
    const bytesPerSec = format === 'WAV' ? 32000 : 4000;
    const lengthSec = Math.max(0.036, (input.bytes - (format === 'WAV' ? 44 : 0)) / bytesPerSec);
    const callId = input.callId ?? uuidFrom(mulberry32(hashString(`${Date.now()}:${Math.random()}`)));
    const call = this.get(callId) ?? this.addCall({ callId, beginTime: Date.now(), talkLength: lengthSec, recordings: 0 });
    const id = input.id ?? uuidFrom(mulberry32(hashString(`${callId}:${call.recordings.length}:${Date.now()}`)));
    const now = Date.now();
    const rec = buildRecording({ id, type: '2', format, startMs: now, lengthSec }, callId, chinaDayStart(call.beginMs), call.recordings[0]?.json.deviceId ?? null);
    if (format === 'MP3') rec.mp3Frames = Math.max(1, Math.floor(input.bytes / 144));
    else rec.wavSamples = Math.max(1, Math.floor((input.bytes - 44) / 4));
    const updated: SimCall = { ...call, recordings: [...call.recordings, rec] };
    this.putExtra(updated);
    return rec.json;
  }
}

function toEpoch(v: string | number | Date | undefined): number {
  if (v === undefined) return Date.now();
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  const ms = parseChina(v);
  if (ms === undefined) throw new Error(`beginTime must be yyyy-MM-dd HH:mm:ss: ${v}`);
  return ms;
}

function adjustParams(p: CallParams, input: AddCallInput): CallParams {
  const out: CallParams = { ...p };
  if (input.ani !== undefined) out.ani = input.ani;
  if (input.dnis !== undefined) out.dnis = input.dnis;
  if (input.talkLength !== undefined) {
    out.talkSec = input.talkLength;
    if (input.talkLength <= 0) out.resultCode = out.resultCode === 0 ? 1 : out.resultCode;
    else out.resultCode = 0;
    const ids = p.recordings.map((r) => r.id);
    const talkStart = p.beginMs + Math.round((p.ringSec + p.queueSec) * 1000);
    out.recordings = ids.map((id, k) =>
      k === ids.length - 1 && input.talkLength && input.talkLength > 0
        ? { id, type: '2' as const, format: p.recordings[k]?.format ?? 'MP3', startMs: talkStart, lengthSec: input.talkLength }
        : { id, type: '1' as const, format: p.recordings[k]?.format ?? 'MP3', startMs: p.beginMs, lengthSec: p.ringSec },
    );
  }
  if (input.campaignId !== undefined && out.campaign) {
    const campaign = DEMO_CAMPAIGNS.find((c) => c.id === input.campaignId);
    if (campaign) out.campaign = { ...out.campaign, campaign };
  }
  return out;
}

function applyFields(call: SimCall, fields: Record<string, unknown> | undefined): SimCall {
  if (!fields) return call;
  const pickKnown = <T extends object>(target: T): T => {
    const out = { ...target } as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields)) if (k in out) out[k] = v;
    return out as T;
  };
  return {
    ...call,
    detail: pickKnown(call.detail),
    listItem: pickKnown(call.listItem),
    robot: call.robot ? { ...call.robot, json: pickKnown(call.robot.json) } : null,
  };
}

// ---- fixtures (independent of the seed) ----

function fixtures(domain: string, day: number): SimCall[] {
  const agent = DEMO_AGENTS[0];
  const agent2 = DEMO_AGENTS[1];
  const campaign = DEMO_CAMPAIGNS.find((c) => c.id === DEMO_CAMPAIGN_ID);
  if (!agent || !agent2 || !campaign) throw new Error('demo data incomplete');
  const base = (callId: string, beginMs: number, over: Partial<CallParams>): CallParams => ({
    callId,
    kind: 'inbound',
    beginMs,
    domain,
    ani: '13912345678',
    dnis: '4008100001',
    customerPhone: '13912345678',
    displayNumber: '4008100001',
    agent,
    ringSec: 5.2,
    queueSec: 3,
    talkSec: 12.48,
    resultCode: 0,
    endType: 1,
    hangupDevice: '13912345678',
    transferred: false,
    satisfaction: '满意',
    relateCall: null,
    campaign: null,
    userData: [null, null, null],
    recordings: [],
    ...over,
  });
  const hms = (h: number, m: number, s: number): number => day + ((h * 60 + m) * 60 + s) * 1000;
  const sampleBegin = hms(10, 30, 0);
  const sample = base(SAMPLE_CALL_ID, sampleBegin, {
    recordings: [
      { id: SAMPLE_RING_RECORDING_ID, type: '1', format: 'MP3', startMs: sampleBegin, lengthSec: 5.2 },
      { id: SAMPLE_RECORDING_ID, type: '2', format: 'MP3', startMs: sampleBegin + 8200, lengthSec: 12.48 },
    ],
  });
  const noRec = base(NO_RECORDING_CALL_ID, hms(10, 35, 12), {
    kind: 'manual',
    ani: `${agent2.ext}@${domain}`,
    dnis: `913800138000@${domain}`,
    customerPhone: '13800138000',
    displayNumber: '02133255540',
    agent: agent2,
    ringSec: 18.3,
    queueSec: 0,
    talkSec: 0,
    resultCode: 1,
    endType: 3,
    hangupDevice: '13800138000',
    satisfaction: null,
  });
  const robotBegin = hms(11, 0, 0);
  const robot = base(SAMPLE_ROBOT_CALL_ID, robotBegin, {
    kind: 'robot',
    ani: `6001@${domain}`,
    dnis: `918800000000@${domain}`,
    customerPhone: '18800000000',
    displayNumber: '02133255540',
    agent: null,
    ringSec: 6.1,
    queueSec: 0,
    talkSec: 35.6,
    endType: 1,
    hangupDevice: '18800000000',
    satisfaction: null,
    campaign: {
      campaign,
      batchId: '2d1f0c3b-7a6e-4b5d-9c8f-1e2d3c4b5a69',
      batchName: `${campaign.name}-${formatCompact(hms(9, 0, 0))}`,
      round: 1,
      rosterId: '15',
      customerId: 'C00000015',
      conclusion: '有意向',
      intent: '客户询问分期费率',
      uui: { currentCallLevel: 'F', intentTag: '高意向', lastNode: 'closing' },
    },
    userData: ['F', '高意向', null],
    recordings: [{ id: '8e4c2a60-3b1d-4f7e-a9c5-d6e8f0a2b4c6', type: '2', format: 'MP3', startMs: robotBegin + 6100, lengthSec: 35.6 }],
  });
  const guideBegin = chinaInstant(2020, 12, 18, 14, 8, 10);
  const guide = base(GUIDE_EXAMPLE_CALL_ID, guideBegin, {
    kind: 'manual',
    ani: `8002@${domain}`,
    dnis: `515021962027@${domain}`,
    customerPhone: '15021962027',
    displayNumber: '1002',
    agent: agent2,
    ringSec: 4,
    queueSec: 0,
    talkSec: 3.124,
    resultCode: 1,
    endType: 4,
    hangupDevice: `8002@${domain}`,
    satisfaction: null,
    recordings: [{ id: OLD_RECORDING_ID, type: '2', format: 'MP3', startMs: guideBegin + 4000, lengthSec: 3.124 }],
  });
  return [sample, noRec, robot, guide].map(buildCall);
}
