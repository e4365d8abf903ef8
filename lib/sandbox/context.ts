/** What a request handler gets: the request, its answer, and the sandbox's state. */
import type { IncomingMessage, ServerResponse } from 'http';
import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import type { CallStore } from './data';
import type { Simulator } from './simulate';
import type { TimerSet } from './timers';
import type { RequestLogEntry, ResolvedOptions, UploadRecord } from './types';

export interface Env {
  readonly options: ResolvedOptions;
  readonly store: CallStore;
  readonly sim: Simulator;
  readonly timers: TimerSet;
  readonly files: FileSigner;
  /** Base URL of the sandbox, e.g. http://127.0.0.1:8090. */
  baseUrl(): string;
  /** Issues a new token; returns it with its lifetime. */
  issueToken(): { token: string; ttlMs: number };
  recordUpload(u: UploadRecord): void;
  /** A roster upload's templateId known to the tenant: an activity or an activity group (guide §5.2.2). */
  knownTemplate(id: string): boolean;
  /** An instant outbound's activityId known to the tenant: an activity, not a group (guide §5.1.1 "活动id"). */
  knownActivity(id: string): boolean;
}

export interface Ctx {
  env: Env;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** Decoded path parameters of the route. */
  params: string[];
  log: RequestLogEntry;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

/** Signs the token-free file URLs handed out by isDownload=2 (valid for `ttlMs`). */
export class FileSigner {
  private readonly secret = randomBytes(32);

  constructor(private readonly ttlMs = 3600 * 1000) {}

  private sig(path: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${path}\n${exp}`).digest('hex').slice(0, 32);
  }

  /** `path?exp=...&sig=...` */
  sign(path: string, now = Date.now()): string {
    const exp = Math.floor((now + this.ttlMs) / 1000);
    return `${path}?exp=${exp}&sig=${this.sig(path, exp)}`;
  }

  verify(path: string, expText: string | null, sig: string | null, now = Date.now()): boolean {
    const exp = Number(expText);
    if (!expText || !sig || !Number.isInteger(exp) || exp * 1000 < now) return false;
    const want = Buffer.from(this.sig(path, exp));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }
}
