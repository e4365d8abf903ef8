/** Public types of the sandbox. */
import type { EventEmitter } from 'events';
import type { TokenStyle } from '../types';
import type { AddCallInput, AddRecordingInput } from './data';
import type { CallDetailJson, CallListJson, RecordingJson, RobotCallJson } from './records';
import type { RosterRow } from './roster';

export type { AddCallInput, AddRecordingInput } from './data';
export type { CallDetailJson, CallListJson, RecordingJson, RobotCallJson } from './records';
export type { RosterRow } from './roster';
export type { CallKind } from './generate';

export type Partition = 'month' | 'day' | 'none';

export interface SandboxCredentials {
  appId: string;
  appSecret: string;
  apiKey: string;
}

export interface SandboxOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted credentials (default DEMO_CREDENTIALS). */
  credentials?: SandboxCredentials;
  /** Token lifetime (default 24 h). */
  tokenTtlMs?: number;
  /** Add `expiresIn` (seconds) to the token answer (default false: just `{"token"}`). */
  announceTtl?: boolean;
  /** Accepted ways of sending the three values to /accesstoken/apply (default ['json']). */
  tokenStyles?: TokenStyle[];
  /** Seed of the generated data (default 1). */
  seed?: number;
  /** Delay added before every API answer (default 0). */
  latencyMs?: number;
  /** Longest CDR / robot query range; longer answers 14001 (default 31 days). */
  maxSpanMs?: number;
  /** Database partition a query may not cross (14015): 'month' (default), 'day' or 'none'. */
  partition?: Partition;
  /** Largest roster file (default 10 MB, read strictly as 10,000,000 bytes). */
  maxUploadBytes?: number;
  /** Tenant domain (default DEMO_DOMAIN). */
  domain?: string;
  /** Tenant id checked by instant outbound (default DEMO_TENANT_ID). */
  tenantId?: string;
  /** Extra ids accepted as templateId / activityId besides DEMO_TEMPLATE_IDS. */
  templateIds?: string[];
  /** How long a simulated call lasts (default 3000 ms). */
  callDurationMs?: number;
  /** WAV renditions exist only for recordings of the last X days (default 30); older: 14013. */
  wavDays?: number;
  /**
   * Seeded window, China time `yyyy-MM-dd[ HH:mm:ss]`, a Date or epoch ms (default 2025-01-01 to the
   * end of the year after the current one, China time, fixed when the sandbox starts: 2025-01-01 ..
   * 2027-12-31 for a sandbox started in 2026). A date alone as `dataTo` means its last second.
   */
  dataFrom?: string | Date | number;
  dataTo?: string | Date | number;
  /** Seeded calls per day (default 40). */
  callsPerDay?: number;
  /** URL the push module (lib/sandbox/pushes) posts events to; also settable later. */
  subscriberUrl?: string;
  /** Attach lib/sandbox/pushes when it is present (default true). */
  pushes?: boolean;
  /** Push tuning, read by lib/sandbox/pushes: retry unit (platform: 60000 ms), retries, attempt timeout, log size. */
  pushRetryUnitMs?: number;
  pushMaxRetries?: number;
  pushTimeoutMs?: number;
  pushLogSize?: number;
}

/** The options in force (defaults applied); `subscriberUrl` and `latencyMs` may change at run time. */
export interface ResolvedOptions {
  port: number;
  host: string;
  credentials: SandboxCredentials;
  tokenTtlMs: number;
  announceTtl: boolean;
  tokenStyles: TokenStyle[];
  seed: number;
  latencyMs: number;
  maxSpanMs: number;
  partition: Partition;
  maxUploadBytes: number;
  domain: string;
  tenantId: string;
  templateIds: string[];
  callDurationMs: number;
  wavDays: number;
  dataFromMs: number;
  dataToMs: number;
  callsPerDay: number;
  subscriberUrl?: string;
  pushes: boolean;
  pushRetryUnitMs?: number;
  pushMaxRetries?: number;
  pushTimeoutMs?: number;
  pushLogSize?: number;
}

/** One received request. */
export interface RequestLogEntry {
  /** Epoch ms of arrival. */
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; the wellcloud_token value is kept. */
  headers: Record<string, string>;
  /** Parsed JSON, form fields, text, or for multipart `{filename, size, text?}`; undefined when not read. */
  body?: unknown;
  /** HTTP status answered; 0 while running or when the socket was destroyed. */
  status: number;
}

export interface FaultMatch {
  method?: string;
  /** Exact path (no query) or a RegExp tested against the path. */
  path?: string | RegExp;
}

export interface Fault {
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Sets the Retry-After header (seconds). */
  retryAfter?: number;
  /** Answer body; default: the platform error body with errorCode = `errorCode` or `status`. */
  body?: unknown;
  /** Business code of the default error body (e.g. 12008, 14002). */
  errorCode?: number;
  /** Wait before answering (or destroying). */
  delayMs?: number;
  /** Destroy the socket without an answer. */
  destroySocket?: boolean;
}

export interface UploadRecord {
  time: number;
  alias: string | null;
  templateId: string | null;
  batchId: string;
  batchName: string;
  filename: string | null;
  bytes: number;
  rows: RosterRow[];
}

/** A stored call as tests see it. */
export interface CallView {
  callId: string;
  beginTime: string;
  /** GET /api/cdr/2.0/calls/open/call/{callId}. */
  detail: CallDetailJson;
  /** Item of GET /api/cdr/2.0/calls/open. */
  listItem: CallListJson;
  /** Item of GET /api/cdr/2.0/open/calls/robot (robot calls only). */
  robot: RobotCallJson | null;
  /** Hidden uui data of robot calls. */
  uui: Record<string, string> | null;
  recordings: RecordingJson[];
}

export interface CallsAccess {
  get(callId: string): CallView | undefined;
  /** Calls with beginTime in [begin, end] (China `yyyy-MM-dd HH:mm:ss` or epoch ms), by beginTime then callId. */
  range(begin: string | number, end: string | number): CallView[];
  /** Calls added at run time (addCall, simulated calls, addRecording). */
  added(): CallView[];
}

/** Event objects emitted on `sandbox.events` ('callEnd', 'agentStateEvent'), fields per API.md. */
export type PlatformEvent = Record<string, unknown> & { eventName: string; serial: number; timestamp: string };

export interface Sandbox {
  url: string;
  port: number;
  readonly options: ResolvedOptions;
  /** 'callEnd' and 'agentStateEvent' (PlatformEvent), 'subscriber' (url) when changed over HTTP. */
  readonly events: EventEmitter;
  close(): Promise<void>;
  /** Runs `fn` during close(), before the server stops. */
  onClose(fn: () => void | Promise<void>): void;

  readonly requests: RequestLogEntry[];
  clearRequests(): void;
  /** Requests received on /accesstoken/apply (any outcome). */
  readonly tokenApplications: number;
  expireTokens(): void;
  issuedTokens(): string[];
  failNext(match: FaultMatch, fault: Fault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  addRecording(input: AddRecordingInput): RecordingJson;
  addCall(input?: AddCallInput): CallView;
  readonly calls: CallsAccess;
  readonly uploads: UploadRecord[];
}
