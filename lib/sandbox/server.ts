/**
 * The sandbox HTTP server: routing (404 unknown path, 405 wrong method), then latency,
 * fault injection, token check (403 none, 401 unknown/expired) and the endpoint handler.
 * Also holds the test controls (request log, faults, tokens, uploads, calls).
 */
import { EventEmitter } from 'events';
import http, { IncomingMessage, ServerResponse } from 'http';
import type { Socket } from 'net';
import { randomBytes } from 'crypto';
import { applyToken } from './auth';
import { getCall, queryCalls, queryRobotCalls } from './cdr';
import { FileSigner, Handler, Ctx, Env } from './context';
import { handleControl } from './control';
import { AddCallInput, AddRecordingInput, CallStore } from './data';
import { DEMO_CAMPAIGNS, DEMO_TEMPLATE_IDS } from './demo';
import { ApiError, errorBody, httpError, MESSAGES, Service } from './errors';
import { plainHeaders, queryObject, sendError, sendJson } from './http-util';
import { dualCall, instantOutbound } from './outbound';
import { callAudio, listCallRecordings, recordingAudio, signedFile } from './recordings';
import type { SimCall } from './records';
import { Simulator } from './simulate';
import { formatChina, parseChina } from './time';
import { TimerSet } from './timers';
import type { CallsAccess, CallView, Fault, FaultMatch, RecordingJson, RequestLogEntry, ResolvedOptions, Sandbox, UploadRecord } from './types';
import { uploadRoster } from './upload';

interface Route {
  pattern: RegExp;
  service: Service;
  auth: boolean;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
}

const ROUTES: Route[] = [
  { pattern: /^\/accesstoken\/apply$/, service: 'auth', auth: false, methods: { POST: applyToken } },
  { pattern: /^\/api\/cdr\/2\.0\/recordings\/open\/call\/([^/]+)\/stream$/, service: 'cdr', auth: true, methods: { GET: callAudio } },
  { pattern: /^\/api\/cdr\/2\.0\/recordings\/open\/call\/([^/]+)$/, service: 'cdr', auth: true, methods: { GET: listCallRecordings } },
  { pattern: /^\/api\/cdr\/2\.0\/recordings\/open\/recording\/([^/]+)\/stream$/, service: 'cdr', auth: true, methods: { GET: recordingAudio } },
  { pattern: /^\/api\/cdr\/2\.0\/calls\/open\/call\/([^/]+)$/, service: 'cdr', auth: true, methods: { GET: getCall } },
  { pattern: /^\/api\/cdr\/2\.0\/calls\/open$/, service: 'cdr', auth: true, methods: { GET: queryCalls } },
  { pattern: /^\/api\/cdr\/2\.0\/open\/calls\/robot$/, service: 'cdr', auth: true, methods: { GET: queryRobotCalls } },
  { pattern: /^\/api\/ocm\/instant\/smart$/, service: 'ocm', auth: true, methods: { POST: instantOutbound } },
  { pattern: /^\/api\/ros\/2\.0\/batches$/, service: 'ros', auth: true, methods: { POST: uploadRoster } },
  { pattern: /^\/api\/ext\/v2\/calls\/uc$/, service: 'ext', auth: true, methods: { POST: dualCall } },
  { pattern: /^\/files\/(calls|recordings)\/([^/]+)\.(mp3|wav)$/, service: 'files', auth: false, methods: { GET: signedFile } },
];

const REQUEST_LOG_LIMIT = 10000;
const UPLOAD_LOG_LIMIT = 100;
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

interface TokenEntry {
  expiresAt: number;
  revoked: boolean;
}

interface FaultEntry {
  match: FaultMatch;
  fault: Fault;
  left: number;
}

function randomToken(): string {
  const bytes = randomBytes(32);
  let s = '';
  for (const b of bytes) s += TOKEN_CHARS[b % TOKEN_CHARS.length];
  return s;
}

function toView(c: SimCall): CallView {
  return {
    callId: c.callId,
    beginTime: formatChina(c.beginMs),
    detail: c.detail,
    listItem: c.listItem,
    robot: c.robot ? c.robot.json : null,
    uui: c.robot ? c.robot.filter.uui : null,
    recordings: c.recordings.map((r) => r.json),
  };
}

function toMs(v: string | number): number {
  if (typeof v === 'number') return v;
  const ms = parseChina(v);
  if (ms === undefined) throw new Error(`expected yyyy-MM-dd HH:mm:ss: ${v}`);
  return ms;
}

function matches(m: FaultMatch, method: string, path: string): boolean {
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return true;
  if (typeof m.path === 'string') return m.path === path;
  m.path.lastIndex = 0;
  return m.path.test(path);
}

function decodeParams(groups: string[]): string[] {
  try {
    return groups.map((g) => decodeURIComponent(g));
  } catch {
    throw httpError('gateway', 400, '路径参数编码非法');
  }
}

export class SandboxServer implements Sandbox, Env {
  readonly events = new EventEmitter();
  readonly requests: RequestLogEntry[] = [];
  readonly uploads: UploadRecord[] = [];
  readonly store: CallStore;
  readonly sim: Simulator;
  readonly timers = new TimerSet();
  readonly files = new FileSigner();
  url = '';
  port = 0;
  private applications = 0;
  private readonly tokens = new Map<string, TokenEntry>();
  private faults: FaultEntry[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly closeHooks: Array<() => void | Promise<void>> = [];
  private closing: Promise<void> | null = null;

  constructor(readonly options: ResolvedOptions) {
    this.store = new CallStore({
      seed: options.seed,
      callsPerDay: options.callsPerDay,
      fromMs: options.dataFromMs,
      toMs: options.dataToMs,
      domain: options.domain,
    });
    this.sim = new Simulator({
      store: this.store,
      events: this.events,
      timers: this.timers,
      domain: options.domain,
      callDurationMs: () => this.options.callDurationMs,
    });
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : this.options.port;
        this.url = `http://${this.options.host}:${this.port}`;
        resolve();
      });
    });
  }

  // ---- Env ----

  baseUrl(): string {
    return this.url;
  }

  issueToken(): { token: string; ttlMs: number } {
    const now = Date.now();
    for (const [t, e] of this.tokens) if (e.expiresAt <= now) this.tokens.delete(t);
    const token = randomToken();
    this.tokens.set(token, { expiresAt: now + this.options.tokenTtlMs, revoked: false });
    return { token, ttlMs: this.options.tokenTtlMs };
  }

  recordUpload(u: UploadRecord): void {
    this.uploads.push(u);
    if (this.uploads.length > UPLOAD_LOG_LIMIT) this.uploads.shift();
  }

  knownTemplate(id: string): boolean {
    return DEMO_TEMPLATE_IDS.includes(id) || this.options.templateIds.includes(id);
  }

  knownActivity(id: string): boolean {
    return DEMO_CAMPAIGNS.some((c) => c.id === id) || this.options.templateIds.includes(id);
  }

  // ---- request handling ----

  private logRequest(req: IncomingMessage, path: string, query: URLSearchParams): RequestLogEntry {
    const entry: RequestLogEntry = {
      time: Date.now(),
      method: req.method ?? 'GET',
      path,
      query: queryObject(query),
      headers: plainHeaders(req),
      status: 0,
    };
    this.requests.push(entry);
    if (this.requests.length > REQUEST_LOG_LIMIT) this.requests.shift();
    return entry;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    if (path.startsWith('/__sandbox/')) {
      await handleControl(this, req, res, path);
      return;
    }
    const log = this.logRequest(req, path, url.searchParams);
    res.on('finish', () => {
      log.status = res.statusCode;
    });
    if (path === '/accesstoken/apply') this.applications++;
    const method = (req.method ?? 'GET').toUpperCase();
    let service: Service = 'gateway';
    // a fault belongs to the next matching request to arrive, not to one that arrived before it was
    // set and is still waiting out the latency
    const fault = this.takeFault(method, path);
    try {
      await this.timers.sleep(this.options.latencyMs);
      const route = ROUTES.find((r) => r.pattern.test(path));
      if (route) service = route.service;
      if (fault) {
        await this.applyFault(fault, req, res, service);
        return;
      }
      if (!route) throw httpError('gateway', 404, `找不到服务：${path}`);
      const handler = route.methods[method as 'GET' | 'POST'] ?? (method === 'HEAD' ? route.methods.GET : undefined);
      if (!handler) {
        const allow = Object.keys(route.methods).concat(route.methods.GET ? ['HEAD'] : []).join(', ');
        throw new ApiError(405, 405, `${MESSAGES[405]}：${method}`, route.service, { Allow: allow });
      }
      if (route.auth) this.authenticate(req);
      const params = decodeParams((route.pattern.exec(path) ?? []).slice(1));
      const ctx: Ctx = { env: this, req, res, method, path, query: url.searchParams, params, log };
      await handler(ctx);
    } catch (e) {
      if (e instanceof ApiError) sendError(res, e);
      else sendJson(res, 500, errorBody(500, `${MESSAGES[500]}：${(e as Error).message}`, service));
    }
  }

  private authenticate(req: IncomingMessage): void {
    const raw = req.headers['wellcloud_token'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (!token) throw new ApiError(403, 403, MESSAGES[403] as string, 'gateway');
    const t = this.tokens.get(token);
    if (!t || t.revoked || Date.now() >= t.expiresAt) throw new ApiError(401, 401, MESSAGES[401] as string, 'gateway');
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const entry = this.faults.find((f) => matches(f.match, method, path));
    if (!entry) return undefined;
    entry.left--;
    if (entry.left <= 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.fault;
  }

  private async applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, service: Service): Promise<void> {
    await this.timers.sleep(fault.delayMs ?? 0);
    if (fault.destroySocket) {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
    if (typeof fault.body === 'string') {
      const data = Buffer.from(fault.body);
      res.writeHead(fault.status, { 'Content-Type': 'text/plain;charset=UTF-8', 'Content-Length': String(data.length), ...headers });
      res.end(data);
      return;
    }
    const body = fault.body !== undefined ? fault.body : errorBody(fault.errorCode ?? fault.status, undefined, service);
    sendJson(res, fault.status, body, headers);
  }

  // ---- test controls ----

  get tokenApplications(): number {
    return this.applications;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  expireTokens(): void {
    for (const t of this.tokens.values()) t.revoked = true;
  }

  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }

  failNext(match: FaultMatch, fault: Fault): void {
    if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
      if (!fault.destroySocket) throw new Error(`failNext: bad status ${fault.status}`);
    }
    this.faults.push({ match, fault, left: Math.max(1, fault.times ?? 1) });
  }

  clearFaults(): void {
    this.faults = [];
  }

  setLatency(ms: number): void {
    this.options.latencyMs = Math.max(0, ms);
  }

  addRecording(input: AddRecordingInput): RecordingJson {
    return this.store.addRecording(input);
  }

  addCall(input: AddCallInput = {}): CallView {
    return toView(this.store.addCall(input));
  }

  readonly calls: CallsAccess = {
    get: (callId) => {
      const c = this.store.get(callId);
      return c ? toView(c) : undefined;
    },
    range: (begin, end) => {
      const calls = this.store.range(toMs(begin), toMs(end));
      calls.sort((a, b) => a.beginMs - b.beginMs || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0));
      return calls.map(toView);
    },
    added: () => this.store.added().map(toView),
  };

  setSubscriber(url: string | undefined): void {
    if (url === undefined) delete this.options.subscriberUrl;
    else this.options.subscriberUrl = url;
    this.events.emit('subscriber', url);
  }

  onClose(fn: () => void | Promise<void>): void {
    this.closeHooks.push(fn);
  }

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const fn of this.closeHooks) {
      try {
        await fn();
      } catch {
        // a failing hook must not keep the server open
      }
    }
    this.timers.clearAll();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
      this.server.closeAllConnections();
    });
  }
}
