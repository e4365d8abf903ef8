/**
 * Typed shapes of the wellcloud API (see ../shared/API.md) and the public surface of the
 * client. Everything here is shared by the client, the sandbox, the nodes and the tests.
 */
import type { Readable } from 'stream';
import type { Lang } from './i18n';

export type TokenStyle = 'json' | 'query' | 'form';

export interface ClientOptions {
  /** e.g. https://jdc.welljoint.com:8090 (no trailing slash needed). */
  baseUrl: string;
  appId: string;
  appSecret: string;
  apiKey: string;
  /** Request timeout in ms (default 30000). For streams: time to the response headers and max idle time. */
  timeout?: number;
  /** How /accesstoken/apply gets its three values (default json). */
  tokenStyle?: TokenStyle;
  /** Language of error messages (default en-US). */
  lang?: Lang;
  /** Renew this many ms before the token expires (default 5 min, capped at half the lifetime). */
  renewMarginMs?: number;
  /** GET retry policy: attempts in all (default 3), backoff base and cap in ms (defaults 200 / 5000). */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Optional hook for debug lines; texts are already scrubbed of secrets. */
  onDebug?: (line: string) => void;
}

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the request (and any wait for a token or a retry). */
  signal?: AbortSignal;
  /** Overrides the client timeout for this call. */
  timeout?: number;
}

export interface TokenInfo {
  token: string;
  /** Epoch ms at which the token expires. */
  expiresAt: number;
}

// ---- recordings (API.md 1-3) ----
export interface RecordingRecord {
  id: string;
  callId: string;
  deviceId?: string;
  timeIn?: string;
  startTime?: string;
  endTime?: string;
  recordChannel?: number;
  recordLength?: number;
  recordType?: string;
  recordFormat?: string;
  filePath?: string;
  repoId?: string;
  failReason?: string | null;
  recordingRepoNfsPath?: string | null;
  recordingRepoRecordingPath?: string | null;
  audioInMos?: string | null;
  [k: string]: unknown;
}

/** isDownload: 1 download, 0 listen, 2 redirect. isWav: 1 two-track WAV, 0 MP3. */
export interface AudioQuery {
  isDownload?: 0 | 1 | 2;
  isWav?: 0 | 1;
}

/** A streamed audio answer. The caller must consume or destroy `stream`. */
export interface AudioStream {
  kind: 'stream';
  status: number;
  contentType: string;
  /** From Content-Length, when given. */
  contentLength?: number;
  stream: Readable;
}

/** The answer to isDownload=2: the redirect location, not followed. */
export interface AudioRedirect {
  kind: 'redirect';
  status: number;
  location: string;
}

// ---- CDR (API.md 4-6) ----
export interface CallRecord {
  callId: string;
  beginTime?: string;
  [k: string]: unknown;
}

/** GET /api/cdr/2.0/calls/open. Times are strings `yyyy-MM-dd HH:mm:ss` (platform time). */
export interface CallQuery {
  beginTime: string;
  endTime: string;
  isOrder: 0 | 1;
  domain: string;
  p?: number;
  s?: number;
  ani?: string;
  dnis?: string;
}

/** GET /api/cdr/2.0/open/calls/robot. */
export interface RobotCallQuery {
  campaignId: string;
  beginTime: string;
  endTime: string;
  isOrder: 0 | 1;
  isDownload: 0 | 1;
  domain: string;
  resultCode?: number;
  groupCampaignId?: string;
  batchId?: string;
  batchName?: string;
  ani?: string;
  dnis?: string;
  rosterId?: string;
  uuiKey?: string;
  uuiValue?: string;
  isCount?: boolean;
  p?: number;
  s?: number;
}

export interface RobotCallRecord {
  callId: string;
  beginTime?: string;
  [k: string]: unknown;
}

/** One page. `total` is present only when the platform sent it (page 1). */
export interface Page<T> {
  total?: number;
  list: T[];
}

// ---- outbound (API.md 7-9) ----
export interface InstantOutboundRequest {
  activityId: string;
  callee: string;
  caller: string;
  data: Record<string, unknown>;
  domain: string;
  id?: string;
  rosterId: string;
  tenantId: string;
}

export interface InstantOutboundResult {
  result: string;
  reason: string;
  [k: string]: unknown;
}

export interface RosterUploadOptions extends RequestOptions {
  alias?: string;
  templateId?: string;
  /** File name of the multipart part (default roster.txt). */
  filename?: string;
  /** Byte length of `content` when it is a stream (sent as the part's known length). */
  knownLength?: number;
}

export interface RosterUploadResult {
  alias: string | null;
  batchId: string;
  batchName: string;
}

export interface DualCallOptions {
  bindPhone?: string;
  displayOrigin?: string;
  cpa?: 'true' | 'false';
  displayDest?: string;
}

export interface DualCallRequest {
  deviceId: string;
  prefix: string;
  customerPhone: string;
  userData?: Record<string, unknown>;
  options?: DualCallOptions;
}

export interface DualCallResult {
  callId: string;
}

/**
 * The public surface of `WellcloudClient` (lib/client.ts): one method per API.md endpoint.
 * Every method rejects with a `WellcloudError` (lib/errors.ts) and never with anything else.
 */
export interface WellcloudApi {
  /** POST /accesstoken/apply (style per tokenStyle). Always applies anew; prefer getToken(). */
  applyToken(opts?: RequestOptions): Promise<TokenInfo>;
  /** The current token, applying (single-flight) or renewing when needed. */
  getToken(opts?: RequestOptions): Promise<string>;
  /** Forgets the token (next call applies anew). */
  invalidateToken(): void;

  /** 2. GET /api/cdr/2.0/recordings/open/call/{callId} -> always an array. */
  listCallRecordings(callId: string, opts?: RequestOptions): Promise<RecordingRecord[]>;
  /** 1. GET /api/cdr/2.0/recordings/open/call/{callId}/stream?isDownload=&isWav= */
  getCallAudio(callId: string, q: AudioQuery, opts?: RequestOptions): Promise<AudioStream | AudioRedirect>;
  /** 3. GET /api/cdr/2.0/recordings/open/recording/{id}/stream?isDownload=&isWav= */
  getRecordingAudio(recordingId: string, q: AudioQuery, opts?: RequestOptions): Promise<AudioStream | AudioRedirect>;

  /** 4. GET /api/cdr/2.0/calls/open/call/{callId} */
  getCall(callId: string, opts?: RequestOptions): Promise<CallRecord>;
  /** 5. GET /api/cdr/2.0/calls/open (one page) */
  queryCalls(q: CallQuery, opts?: RequestOptions): Promise<Page<CallRecord>>;
  /** 6. GET /api/cdr/2.0/open/calls/robot (one page) */
  queryRobotCalls(q: RobotCallQuery, opts?: RequestOptions): Promise<Page<RobotCallRecord>>;

  /** 7. POST /api/ocm/instant/smart. Never retried (only repeated once after a 401 renewal). */
  instantOutbound(body: InstantOutboundRequest, opts?: RequestOptions): Promise<InstantOutboundResult>;
  /** 8. POST /api/ros/2.0/batches?alias=&templateId= multipart part `file`. Not retried (a retry would create a second batch). */
  uploadRoster(content: Buffer | string | (() => Readable), opts?: RosterUploadOptions): Promise<RosterUploadResult>;
  /** 9. POST /api/ext/v2/calls/uc. Never retried (only repeated once after a 401 renewal). */
  dualCall(body: DualCallRequest, opts?: RequestOptions): Promise<DualCallResult>;

  /** Aborts every request in flight and pending token application; the client stays usable. */
  abortAll(): void;
}
