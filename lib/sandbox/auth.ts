/**
 * POST /accesstoken/apply (guide §3). The three values come as a JSON body (style json),
 * POST query parameters (style query) or a form-urlencoded body (style form); only the
 * styles in `tokenStyles` are accepted. The style is the body's when a body is sent,
 * else query.
 */
import type { TokenStyle } from '../types';
import type { Ctx } from './context';
import { ApiError, badParam, Service } from './errors';
import { formFields, isJsonType, mediaType, parseJsonObject, readBody, sendJson } from './http-util';

const SERVICE: Service = 'auth';
const FIELDS = ['appId', 'appSecret', 'apiKey'] as const;
type Field = (typeof FIELDS)[number];

interface Presented {
  style: TokenStyle;
  values: Partial<Record<Field, unknown>>;
}

async function presented(ctx: Ctx): Promise<Presented> {
  const buf = await readBody(ctx.req, 64 * 1024, SERVICE);
  if (buf.length > 0) {
    if (isJsonType(ctx.req)) {
      const body = parseJsonObject(buf, SERVICE);
      ctx.log.body = body;
      return { style: 'json', values: body };
    }
    if (mediaType(ctx.req) === 'application/x-www-form-urlencoded') {
      const fields = formFields(buf);
      ctx.log.body = fields;
      return { style: 'form', values: fields };
    }
    ctx.log.body = buf.toString('utf8');
    throw badParam(SERVICE, `不支持的请求体类型：${ctx.req.headers['content-type'] ?? '（无）'}`);
  }
  const values: Partial<Record<Field, unknown>> = {};
  for (const f of FIELDS) {
    const v = ctx.query.get(f);
    if (v !== null) values[f] = v;
  }
  return { style: 'query', values };
}

export async function applyToken(ctx: Ctx): Promise<void> {
  const { style, values } = await presented(ctx);
  const opts = ctx.env.options;
  if (style === 'query' && Object.keys(values).length === 0) throw badParam(SERVICE, 'appId不能为空');
  if (!opts.tokenStyles.includes(style)) {
    throw badParam(SERVICE, `不支持以${style}方式传递appId、appSecret、apiKey（支持：${opts.tokenStyles.join('、')}）`);
  }
  for (const f of FIELDS) {
    const v = values[f];
    if (v === undefined || v === null || v === '') throw badParam(SERVICE, `${f}不能为空`);
    if (typeof v !== 'string') throw badParam(SERVICE, `${f}类型错误，应为string`);
  }
  const c = opts.credentials;
  if (values.appId !== c.appId || values.appSecret !== c.appSecret || values.apiKey !== c.apiKey) {
    throw new ApiError(401, 401, 'appId、appSecret或apiKey不正确', SERVICE);
  }
  const { token, ttlMs } = ctx.env.issueToken();
  sendJson(ctx.res, 200, opts.announceTtl ? { token, expiresIn: Math.floor(ttlMs / 1000) } : { token });
}
