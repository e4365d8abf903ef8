/**
 * Instant automatic outbound (guide §5.1) and dual call (guide §6). Both are JSON only and
 * start a simulated call (see simulate.ts).
 */
import type { Ctx } from './context';
import { DEMO_CAMPAIGNS } from './demo';
import { ApiError, badParam, business, httpError, MESSAGES, Service } from './errors';
import type { CampaignParams } from './generate';
import { isJsonType, isPlainObject, parseJsonObject, readBody, sendJson } from './http-util';
import { hashString, mixSeed, mulberry32, uuidFrom } from './random';
import { demoAgentFor } from './simulate';

const JSON_LIMIT = 1024 * 1024;
const PHONE = /^\+?\d{3,20}$/;

/** Result of a successful instant outbound request. */
export const INSTANT_OK = Object.freeze({ result: '0', reason: 'success' });

async function jsonBody(ctx: Ctx, service: Service): Promise<Record<string, unknown>> {
  if (!isJsonType(ctx.req)) {
    throw httpError(service, 415, `不支持的Content-Type：${ctx.req.headers['content-type'] ?? '（无）'}，请使用application/json`);
  }
  const buf = await readBody(ctx.req, JSON_LIMIT, service);
  const body = parseJsonObject(buf, service);
  ctx.log.body = body;
  return body;
}

function requiredString(body: Record<string, unknown>, name: string, service: Service): string {
  const v = body[name];
  if (v === undefined || v === null || v === '') throw badParam(service, `${name}不能为空`);
  if (typeof v !== 'string') throw badParam(service, `${name}类型错误，应为string`);
  if (v.trim() === '') throw badParam(service, `${name}不能为空`);
  return v;
}

function optionalObject(body: Record<string, unknown>, name: string, service: Service): Record<string, unknown> | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (!isPlainObject(v)) throw badParam(service, `${name}类型错误，应为object`);
  return v;
}

// ---- instant outbound ----

interface InstantRequest {
  activityId: string;
  callee: string;
  caller: string;
  data: Record<string, unknown>;
  rosterId: string;
  id?: string;
}

function instantRequest(body: Record<string, unknown>, ctx: Ctx): InstantRequest {
  const s: Service = 'ocm';
  const activityId = requiredString(body, 'activityId', s);
  const callee = requiredString(body, 'callee', s);
  const caller = requiredString(body, 'caller', s);
  if (body.data === undefined || body.data === null) throw badParam(s, 'data不能为空');
  const data = optionalObject(body, 'data', s) as Record<string, unknown>;
  const domain = requiredString(body, 'domain', s);
  const rosterId = requiredString(body, 'rosterId', s);
  const tenantId = requiredString(body, 'tenantId', s);
  if (body.id !== undefined && body.id !== null && typeof body.id !== 'string') throw badParam(s, 'id类型错误，应为string');
  if (!PHONE.test(callee)) throw badParam(s, `callee不是合法的号码：${callee}`);
  if (domain !== ctx.env.options.domain) throw badParam(s, `domain不属于当前租户：${domain}`);
  if (tenantId !== ctx.env.options.tenantId) throw badParam(s, `tenantId不存在：${tenantId}`);
  if (!ctx.env.knownActivity(activityId)) throw new ApiError(404, 404, `活动不存在：${activityId}`, s);
  return { activityId, callee, caller, data, rosterId, ...(typeof body.id === 'string' ? { id: body.id } : {}) };
}

function instantCampaign(r: InstantRequest): CampaignParams | null {
  const campaign = DEMO_CAMPAIGNS.find((c) => c.id === r.activityId);
  if (!campaign) return null;
  return {
    campaign,
    batchId: uuidFrom(mulberry32(mixSeed(hashString(r.activityId), 1))),
    batchName: `${campaign.name}-instant`,
    round: 1,
    rosterId: r.rosterId,
    customerId: r.id ?? null,
    conclusion: '',
    intent: '',
    uui: {},
  };
}

export async function instantOutbound(ctx: Ctx): Promise<void> {
  const body = await jsonBody(ctx, 'ocm');
  const r = instantRequest(body, ctx);
  const domain = ctx.env.options.domain;
  const callId = uuidFrom(mulberry32(hashString(`${Date.now()}:${Math.random()}`)));
  const agent = demoAgentFor(r.caller, domain);
  ctx.env.sim.start({
    kind: 'instant',
    callId,
    agent,
    device: agent ? `${agent.ext}@${domain}` : r.caller,
    customerPhone: r.callee,
    ani: `6001@${domain}`,
    dnis: `${r.callee}@${domain}`,
    displayNumber: '02133255540',
    userData: r.data,
    campaignInfo: { campaignId: r.activityId, rosterId: r.rosterId, ...(r.id ? { id: r.id } : {}) },
    campaign: instantCampaign(r),
  });
  sendJson(ctx.res, 200, INSTANT_OK);
}

// ---- dual call ----

const CPA = ['true', 'false'];

function dualOptions(body: Record<string, unknown>): void {
  const options = optionalObject(body, 'options', 'ext');
  if (!options) return;
  for (const k of ['bindPhone', 'displayOrigin', 'cpa', 'displayDest'] as const) {
    const v = options[k];
    if (v !== undefined && v !== null && typeof v !== 'string') throw badParam('ext', `options.${k}类型错误，应为string`);
  }
  if (typeof options.cpa === 'string' && !CPA.includes(options.cpa)) throw badParam('ext', `options.cpa取值应为"true"或"false"，实际为"${options.cpa}"`);
}

export async function dualCall(ctx: Ctx): Promise<void> {
  const s: Service = 'ext';
  const body = await jsonBody(ctx, s);
  const domain = ctx.env.options.domain;
  const deviceId = body.deviceId;
  if (deviceId === undefined || deviceId === null || deviceId === '') throw business(s, 14001);
  const customerPhone = body.customerPhone;
  if (customerPhone === undefined || customerPhone === null || customerPhone === '') throw business(s, 14002);
  const m = typeof deviceId === 'string' ? /^([^@\s]+)@([^@\s]+)$/.exec(deviceId) : null;
  if (!m || m[2] !== domain) throw business(s, 14005, `${MESSAGES[14005]}：${String(deviceId)}，应包含租户域名，如8001@${domain}`);
  if (typeof customerPhone !== 'string' || !PHONE.test(customerPhone)) throw badParam(s, `customerPhone不是合法的号码：${String(customerPhone)}`);
  // guide §6.1: prefix is required ("是否必须: 是"), so an empty one is refused like a missing one
  if (body.prefix === undefined || body.prefix === null || (typeof body.prefix === 'string' && body.prefix.trim() === '')) {
    throw badParam(s, 'prefix不能为空');
  }
  if (typeof body.prefix !== 'string' || !/^[\d*#]+$/.test(body.prefix)) throw badParam(s, 'prefix类型错误，应为数字字符串');
  const userData = optionalObject(body, 'userData', s) ?? {};
  dualOptions(body);
  const callId = uuidFrom(mulberry32(hashString(`${Date.now()}:${Math.random()}`)));
  ctx.env.sim.start({
    kind: 'dual',
    callId,
    agent: demoAgentFor(deviceId as string, domain),
    device: deviceId as string,
    customerPhone,
    ani: deviceId as string,
    dnis: `${body.prefix}${customerPhone}@${domain}`,
    displayNumber: '02133255540',
    userData,
    campaignInfo: null,
    campaign: null,
  });
  sendJson(ctx.res, 200, { callId });
}
