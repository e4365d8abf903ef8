/**
 * Turns call parameters into the platform's records, and draws random parameters from a
 * PRNG. Used for seeded calls, fixtures, calls added by tests and simulated calls.
 */
import { DEMO_AGENTS, DEMO_CAMPAIGNS, DemoAgent, DemoCampaign } from './demo';
import { RecordingJson, SimCall, SimRecording, CallDetailJson, CallListJson, RobotCallJson } from './records';
import { digits, hashString, pick, pickWeighted, randInt, Rng, uuidFrom } from './random';
import { formatChina, formatDayId, formatCompact, chinaDayStart, chinaFields } from './time';

export type CallKind = 'inbound' | 'manual' | 'internal' | 'robot' | 'dual' | 'instant';

/** callType code and name per kind (the guide's example: 2 = 自摘机). */
export const CALL_TYPES: Record<CallKind, { code: number; name: string }> = {
  inbound: { code: 1, name: '呼入' },
  manual: { code: 2, name: '自摘机' },
  internal: { code: 3, name: '内线' },
  robot: { code: 5, name: '机器人外呼' },
  dual: { code: 6, name: '双呼' },
  instant: { code: 7, name: '自动外呼' },
};

/** resultCode -> result (the legacy docs' failedCode table). */
export const RESULTS: Record<number, string> = {
  0: '成功',
  1: '用户忙',
  3: '无法接通',
  6: '关机',
  7: '停机',
  8: '空号',
  11: '超时',
  14: '其他',
};

/** endType -> endTypeName (the guide's example: 4 = 呼叫流转). */
export const END_TYPES: Record<number, string> = {
  1: '主叫挂机',
  2: '被叫挂机',
  3: '系统挂机',
  4: '呼叫流转',
  5: '放弃',
};

const HOTLINE = '4008100001';
const DISPLAY_NUMBER = '02133255540';
const ROBOT_SEAT = '6001';
const DIAL_PREFIX = '9';
const AREA_CODES = ['010', '021', '020', '0755', '0571', '028', '027', '0379'];
const CONCLUSIONS_ANSWERED = ['有意向', '无意向', '需回访', '已办理', '拒绝'];
const INTENTS = ['客户询问分期费率', '客户表示暂不需要', '客户要求稍后回电', '客户确认还款日期', '客户对服务表示满意', '客户询问额度'];
const CALL_LEVELS = ['A', 'B', 'C', 'D', 'E', 'F'];
const INTENT_TAGS = ['高意向', '中意向', '低意向', '无'];
const LAST_NODES = ['greeting', 'product', 'objection', 'closing'];

export interface RecordingParams {
  id: string;
  type: '1' | '2';
  format: 'MP3' | 'WAV';
  startMs: number;
  lengthSec: number;
}

export interface CampaignParams {
  campaign: DemoCampaign;
  batchId: string;
  batchName: string;
  round: number;
  rosterId: string;
  customerId: string | null;
  conclusion: string;
  intent: string;
  uui: Record<string, string>;
}

export interface CallParams {
  callId: string;
  kind: CallKind;
  beginMs: number;
  domain: string;
  ani: string;
  dnis: string;
  customerPhone: string;
  displayNumber: string | null;
  agent: DemoAgent | null;
  ringSec: number;
  queueSec: number;
  /** 0 when not answered. */
  talkSec: number;
  resultCode: number;
  endType: number;
  hangupDevice: string | null;
  transferred: boolean;
  satisfaction: string | null;
  relateCall: string | null;
  campaign: CampaignParams | null;
  userData: [string | null, string | null, string | null];
  recordings: RecordingParams[];
}

const ms3 = (sec: number): number => Math.round(sec * 1000) / 1000;
const at = (ms: number | null): string | null => (ms === null ? null : formatChina(ms));

export function mobile(rng: Rng): string {
  return `1${pick(rng, ['3', '5', '8', '9'])}${digits(rng, 9)}`;
}

// ---- records from parameters ----

function answerMs(p: CallParams): number | null {
  return p.talkSec > 0 ? p.beginMs + Math.round((p.ringSec + p.queueSec) * 1000) : null;
}

function endMs(p: CallParams): number {
  return p.beginMs + Math.round((p.ringSec + p.queueSec + p.talkSec) * 1000);
}

function buildDetail(p: CallParams): CallDetailJson {
  const answer = answerMs(p);
  const end = endMs(p);
  const inbound = p.kind === 'inbound';
  const stationRing = p.agent ? p.beginMs + Math.round(p.queueSec * 1000) : null;
  return {
    callId: p.callId,
    ani: p.ani,
    dnis: p.dnis,
    callType: CALL_TYPES[p.kind].code,
    callTypeName: CALL_TYPES[p.kind].name,
    trunkName: p.kind === 'internal' ? null : 'SCM_021',
    trunkMember: p.kind === 'internal' ? null : '02133255500',
    beginTime: formatChina(p.beginMs),
    customerNo: p.kind === 'internal' ? null : p.customerPhone,
    customerAreaCode: p.kind === 'internal' ? null : AREA_CODES[hashString(p.customerPhone) % AREA_CODES.length] ?? null,
    customerRingLength: ms3(p.ringSec),
    customerAnswerTime: at(answer),
    result: RESULTS[p.resultCode] ?? '其他',
    resultCode: p.resultCode,
    firstIvrNo: inbound ? '9001' : p.campaign ? p.campaign.campaign.ivrNo : null,
    firstIvrAnswerTime: inbound ? formatChina(p.beginMs) : null,
    firstStationNo: p.agent ? p.agent.ext : null,
    firstStationRingTime: at(stationRing),
    firstStationAnswerTime: p.agent ? at(answer) : null,
    firstAgentNo: p.agent ? p.agent.id : null,
    lastQueueNo: inbound ? '7001' : null,
    lastQueueLength: Math.round(p.queueSec),
    lastRoutePoint: inbound ? '3001' : null,
    endTime: formatChina(end),
    endType: p.endType,
    endTypeName: END_TYPES[p.endType] ?? '未知',
    hangupDevice: p.hangupDevice,
    conferenced: 0,
    transferred: p.transferred ? 1 : 0,
    relateCall: p.relateCall,
    domain: p.domain,
    callLength: ms3((end - p.beginMs) / 1000),
    talkLength: ms3(p.talkSec),
    timeId: formatDayId(p.beginMs),
    displayNumber: p.displayNumber,
    batchName: p.campaign ? p.campaign.batchName : null,
    customerRosterId: p.campaign ? p.campaign.rosterId : null,
    groupCampaignName: p.campaign ? p.campaign.campaign.groupName : null,
    campaignName: p.campaign ? p.campaign.campaign.name : null,
    satisfaction: p.satisfaction,
  };
}

function buildListItem(d: CallDetailJson, p: CallParams): CallListJson {
  return {
    result: d.result,
    callTypeName: d.callTypeName,
    endTypeName: d.endTypeName,
    resultCode: d.resultCode,
    callType: d.callType,
    endType: d.endType,
    callId: d.callId,
    ani: d.ani,
    dnis: d.dnis,
    displayNumber: d.displayNumber,
    beginTime: d.beginTime,
    campaignName: d.campaignName,
    groupCampaignName: d.groupCampaignName,
    customerId: p.campaign ? p.campaign.customerId : null,
    batchName: d.batchName,
    customerRosterId: d.customerRosterId,
    talkLength: d.talkLength,
    c0: p.userData[0],
    c1: p.userData[1],
    c2: p.userData[2],
  };
}

function buildRobot(d: CallDetailJson, p: CallParams): SimCall['robot'] {
  if (p.kind !== 'robot' || !p.campaign) return null;
  const c = p.campaign;
  const json: RobotCallJson = {
    callId: d.callId,
    callTypeName: d.callTypeName,
    ani: d.ani,
    dnis: d.dnis,
    batchId: c.batchId,
    batchName: c.batchName,
    round: c.round,
    rosterId: c.rosterId,
    beginTime: d.beginTime,
    endTime: d.endTime,
    customerAnswerTime: d.customerAnswerTime,
    result: d.result,
    conclusion: c.conclusion,
    intent: c.intent,
    talkLength: d.talkLength,
    chatBotTemplate: c.campaign.chatBotTemplate,
    ivrNo: c.campaign.ivrNo,
    campaignId: c.campaign.id,
  };
  return { json, filter: { groupCampaignId: c.campaign.groupId, resultCode: p.resultCode, uui: c.uui } };
}

/** MP3 frames of 36 ms and WAV sample frames at 8 kHz for a length in seconds. */
export function audioSizes(lengthSec: number): { mp3Frames: number; wavSamples: number } {
  return {
    mp3Frames: Math.max(1, Math.ceil((lengthSec * 1000) / 36)),
    wavSamples: Math.max(1, Math.round(lengthSec * 8000)),
  };
}

export function buildRecording(r: RecordingParams, callId: string, timeInMs: number, deviceId: string | null): SimRecording {
  const f = chinaFields(r.startMs);
  const ext = r.format === 'WAV' ? 'wav' : 'mp3';
  const dir = `${f.year}/${String(f.month).padStart(2, '0')}/${String(f.day).padStart(2, '0')}`;
  const json: RecordingJson = {
    id: r.id,
    callId,
    deviceId,
    timeIn: formatChina(timeInMs),
    startTime: formatChina(r.startMs),
    endTime: formatChina(r.startMs + Math.round(r.lengthSec * 1000)),
    recordChannel: r.format === 'WAV' ? 2 : 1,
    recordLength: ms3(r.lengthSec),
    recordType: r.type,
    recordFormat: r.format,
    filePath: `/recording/${dir}/${r.id}.${ext}`,
    repoId: 'repo-sh-01',
    failReason: null,
    recordingRepoNfsPath: '10.0.8.21:/data/nfs',
    recordingRepoRecordingPath: '/data/recording',
    audioInMos: '4.3',
  };
  return { json, startMs: r.startMs, ...audioSizes(r.lengthSec) };
}

export function buildCall(p: CallParams): SimCall {
  const detail = buildDetail(p);
  const deviceId = p.agent ? `${p.agent.ext}@${p.domain}` : null;
  return {
    callId: p.callId,
    beginMs: p.beginMs,
    endMs: endMs(p),
    detail,
    listItem: buildListItem(detail, p),
    robot: buildRobot(detail, p),
    recordings: p.recordings.map((r) => buildRecording(r, p.callId, chinaDayStart(p.beginMs), deviceId)),
  };
}

// ---- random parameters ----

const KIND_WEIGHTS: ReadonlyArray<readonly [CallKind, number]> = [
  ['inbound', 35],
  ['manual', 20],
  ['internal', 5],
  ['robot', 30],
  ['dual', 10],
];

/** Where and how a drawn call is placed; recording ids are drawn by the caller (they are indexed). */
export interface DrawContext {
  callId: string;
  beginMs: number;
  domain: string;
  recordingIds: string[];
  kind?: CallKind;
  /** Seed-derived batch of a campaign on a day (robot calls). */
  batchFor?: (campaign: DemoCampaign, beginMs: number) => { batchId: string; batchName: string };
}

function drawTalk(rng: Rng, kind: CallKind): number {
  if (kind === 'robot') return 8 + rng() * 110;
  // a long tail: most calls are short, a few last several minutes
  return 5 + Math.min(595, -Math.log(1 - rng()) * 70);
}

function drawResultCode(rng: Rng, answered: boolean): number {
  if (answered) return 0;
  return pickWeighted(rng, [[1, 30], [3, 20], [6, 10], [7, 5], [8, 5], [11, 25], [14, 5]] as const);
}

function drawCampaign(rng: Rng, ctx: DrawContext, answered: boolean): CampaignParams {
  const campaign = pick(rng, DEMO_CAMPAIGNS);
  const batch = ctx.batchFor
    ? ctx.batchFor(campaign, ctx.beginMs)
    : { batchId: uuidFrom(rng), batchName: `${campaign.name}-${formatCompact(chinaDayStart(ctx.beginMs) + 9 * 3600 * 1000)}` };
  return {
    campaign,
    ...batch,
    round: randInt(rng, 1, 3),
    rosterId: String(randInt(rng, 100000, 999999)),
    customerId: `C${digits(rng, 8)}`,
    conclusion: answered ? pick(rng, CONCLUSIONS_ANSWERED) : '未接通',
    intent: answered ? pick(rng, INTENTS) : '',
    uui: {
      currentCallLevel: answered ? pick(rng, CALL_LEVELS) : 'F',
      intentTag: answered ? pick(rng, INTENT_TAGS) : '无',
      lastNode: answered ? pick(rng, LAST_NODES) : 'greeting',
    },
  };
}

function parties(kind: CallKind, phone: string, agent: DemoAgent, other: DemoAgent, d: string): Pick<CallParams, 'ani' | 'dnis' | 'displayNumber' | 'customerPhone'> {
  switch (kind) {
    case 'inbound':
      return { ani: phone, dnis: HOTLINE, displayNumber: HOTLINE, customerPhone: phone };
    case 'internal':
      return { ani: `${agent.ext}@${d}`, dnis: `${other.ext}@${d}`, displayNumber: null, customerPhone: other.ext };
    case 'robot':
    case 'instant':
      return { ani: `${ROBOT_SEAT}@${d}`, dnis: `${DIAL_PREFIX}${phone}@${d}`, displayNumber: DISPLAY_NUMBER, customerPhone: phone };
    default:
      return { ani: `${agent.ext}@${d}`, dnis: `${DIAL_PREFIX}${phone}@${d}`, displayNumber: DISPLAY_NUMBER, customerPhone: phone };
  }
}

function drawRecordings(rng: Rng, ids: string[], beginMs: number, ringSec: number, queueSec: number, talkSec: number): RecordingParams[] {
  const format = rng() < 0.8 ? 'MP3' : 'WAV';
  const ringRec = (id: string, startMs: number, lengthSec: number): RecordingParams => ({ id, type: '1', format, startMs, lengthSec });
  const talkStart = beginMs + Math.round((ringSec + queueSec) * 1000);
  const [first, second] = ids;
  if (first === undefined) return [];
  if (talkSec > 0) {
    const talk: RecordingParams = { id: second ?? first, type: '2', format, startMs: talkStart, lengthSec: talkSec };
    return second === undefined ? [talk] : [ringRec(first, beginMs, ringSec), talk];
  }
  if (second === undefined) return [ringRec(first, beginMs, ringSec)];
  const half = ringSec / 2;
  return [ringRec(first, beginMs, half), ringRec(second, beginMs + Math.round(half * 1000), ringSec - half)];
}

/** Random but plausible parameters for a call; deterministic for a given rng state. */
export function drawCall(rng: Rng, ctx: DrawContext): CallParams {
  const kind = ctx.kind ?? pickWeighted(rng, KIND_WEIGHTS);
  const answered = rng() < (kind === 'inbound' || kind === 'internal' ? 0.92 : 0.68);
  const agent = pick(rng, DEMO_AGENTS);
  const other = pick(rng, DEMO_AGENTS.filter((a) => a !== agent));
  const phone = mobile(rng);
  const ringSec = 1 + rng() * (answered ? 14 : 29);
  const queueSec = kind === 'inbound' && answered ? rng() * 20 : 0;
  const talkSec = answered ? drawTalk(rng, kind) : 0;
  const campaign = kind === 'robot' ? drawCampaign(rng, ctx, answered) : null;
  const customerHangs = rng() < 0.6;
  const transferred = kind === 'inbound' && answered && rng() < 0.1;
  const p = parties(kind, phone, agent, other, ctx.domain);
  const withAgent = kind !== 'robot' && kind !== 'instant';
  return {
    callId: ctx.callId,
    kind,
    beginMs: ctx.beginMs,
    domain: ctx.domain,
    ...p,
    agent: withAgent ? agent : null,
    ringSec,
    queueSec,
    talkSec,
    resultCode: drawResultCode(rng, answered),
    endType: !answered ? (kind === 'inbound' ? 5 : 3) : transferred ? 4 : customerHangs ? 1 : 2,
    hangupDevice: customerHangs || !withAgent ? p.customerPhone : `${agent.ext}@${ctx.domain}`,
    transferred,
    satisfaction: kind === 'inbound' && answered ? pick(rng, ['满意', '满意', '一般', '不满意', null]) : null,
    relateCall: transferred ? uuidFrom(rng) : null,
    campaign,
    userData: campaign ? [campaign.uui.currentCallLevel ?? null, campaign.uui.intentTag ?? null, null] : [null, null, null],
    recordings: drawRecordings(rng, ctx.recordingIds, ctx.beginMs, ringSec, queueSec, talkSec),
  };
}
