/** Defaults and validation of SandboxOptions. */
import type { TokenStyle } from '../types';
import { DEMO_CREDENTIALS, DEMO_DOMAIN, DEMO_TENANT_ID } from './demo';
import { chinaFields, chinaInstant, DAY_MS, parseChinaDateOrTime } from './time';
import type { ResolvedOptions, SandboxOptions } from './types';

const STYLES: TokenStyle[] = ['json', 'query', 'form'];

function instant(v: string | Date | number, name: string, endOfDay: boolean): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  const ms = parseChinaDateOrTime(v, endOfDay);
  if (ms === undefined) throw new Error(`sandbox option ${name}: expected yyyy-MM-dd[ HH:mm:ss], got ${v}`);
  return ms;
}

function nonNegative(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`sandbox option ${name} must be a number >= 0`);
  return v;
}

/** First day of the default seeded window: fixed, so the ids and data of every seeded day stay the same. */
export const DEFAULT_DATA_FROM = '2025-01-01';

/**
 * Last second of the default seeded window: 31 December of the year after the one `nowMs` lies in
 * (China time), so that yesterday, today and at least the next twelve months hold seeded calls
 * whenever the sandbox starts. Days are generated from (seed, day) alone: a longer window adds
 * days and changes none.
 */
export function defaultDataTo(nowMs: number): number {
  return chinaInstant(chinaFields(nowMs).year + 1, 12, 31, 23, 59, 59);
}

/** `nowMs` (the clock, default Date.now()) only places the default end of the seeded window. */
export function resolveOptions(o: SandboxOptions = {}, nowMs: number = Date.now()): ResolvedOptions {
  const tokenStyles = o.tokenStyles ?? ['json'];
  for (const s of tokenStyles) if (!STYLES.includes(s)) throw new Error(`sandbox option tokenStyles: unknown style ${String(s)}`);
  const partition = o.partition ?? 'month';
  if (!['month', 'day', 'none'].includes(partition)) throw new Error(`sandbox option partition: unknown value ${String(partition)}`);
  const dataFromMs = instant(o.dataFrom ?? DEFAULT_DATA_FROM, 'dataFrom', false);
  const dataToMs = o.dataTo === undefined ? defaultDataTo(nowMs) : instant(o.dataTo, 'dataTo', true);
  if (dataToMs < dataFromMs) throw new Error('sandbox options: dataTo is before dataFrom');
  const resolved: ResolvedOptions = {
    port: nonNegative(o.port, 0, 'port'),
    host: o.host ?? '127.0.0.1',
    credentials: { ...(o.credentials ?? DEMO_CREDENTIALS) },
    tokenTtlMs: nonNegative(o.tokenTtlMs, DAY_MS, 'tokenTtlMs'),
    announceTtl: o.announceTtl ?? false,
    tokenStyles: [...tokenStyles],
    seed: o.seed ?? 1,
    latencyMs: nonNegative(o.latencyMs, 0, 'latencyMs'),
    maxSpanMs: nonNegative(o.maxSpanMs, 31 * DAY_MS, 'maxSpanMs'),
    partition,
    maxUploadBytes: nonNegative(o.maxUploadBytes, 10_000_000, 'maxUploadBytes'),
    domain: o.domain ?? DEMO_DOMAIN,
    tenantId: o.tenantId ?? DEMO_TENANT_ID,
    templateIds: [...(o.templateIds ?? [])],
    callDurationMs: nonNegative(o.callDurationMs, 3000, 'callDurationMs'),
    wavDays: nonNegative(o.wavDays, 30, 'wavDays'),
    dataFromMs,
    dataToMs,
    callsPerDay: Math.floor(nonNegative(o.callsPerDay, 40, 'callsPerDay')),
    pushes: o.pushes ?? true,
  };
  if (o.subscriberUrl !== undefined) resolved.subscriberUrl = o.subscriberUrl;
  for (const k of ['pushRetryUnitMs', 'pushMaxRetries', 'pushTimeoutMs', 'pushLogSize'] as const) {
    const v = o[k];
    if (v !== undefined) resolved[k] = nonNegative(v, 0, k);
  }
  return resolved;
}
