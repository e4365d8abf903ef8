/**
 * The small part of Node-RED's runtime API the nodes use. Written here rather than pulling in
 * @types/node-red, whose typings lag behind Node-RED 4/5 and drag in express typings.
 */
import type { EventEmitter } from 'events';

export type NodeMessage = Record<string, unknown> & { _msgid?: string; payload?: unknown };

export type SendFn = (msg: NodeMessage | null | (NodeMessage | NodeMessage[] | null)[]) => void;
export type DoneFn = (err?: Error) => void;

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeContextStore {
  get(key: string, store?: string): unknown;
  get(key: string, store: string | undefined, cb: (err: Error | null, value: unknown) => void): void;
  set(key: string, value: unknown, store?: string): void;
  set(key: string, value: unknown, store: string | undefined, cb: (err: Error | null) => void): void;
  keys?(store?: string): string[];
}

export interface Node extends EventEmitter {
  id: string;
  type: string;
  z?: string;
  name?: string;
  credentials: Record<string, string | undefined>;
  status(status: NodeStatus | Record<string, never>): void;
  send(msg: NodeMessage | null | (NodeMessage | NodeMessage[] | null)[]): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(text: unknown): void;
  log(text: unknown): void;
  debug(text: unknown): void;
  trace(text: unknown): void;
  context(): { get: NodeContextStore['get']; set: NodeContextStore['set']; keys?: (store?: string) => string[]; flow: NodeContextStore; global: NodeContextStore };
  on(event: 'input', listener: (msg: NodeMessage, send: SendFn, done: DoneFn) => void): this;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): this;
  on(event: string, listener: (...args: any[]) => void): this;
}

export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
  [k: string]: unknown;
}

export interface HttpRequest {
  body: Record<string, unknown>;
  params: Record<string, string>;
  query: Record<string, unknown>;
}
export interface HttpResponse {
  status(code: number): HttpResponse;
  json(body: unknown): void;
  send(body: unknown): void;
}
type Handler = (req: HttpRequest, res: HttpResponse, next?: () => void) => void;

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(type: string, ctor: (this: Node, def: any) => void, opts?: { credentials?: Record<string, { type: 'text' | 'password' }>; settings?: Record<string, unknown> }): void;
    getNode(id: string): Node | null;
    getCredentials?(id: string): Record<string, string> | undefined;
  };
  util: {
    evaluateNodeProperty(value: unknown, type: string, node: Node, msg: NodeMessage | undefined, cb: (err: Error | null, result: unknown) => void): void;
    getMessageProperty(msg: NodeMessage, expr: string): unknown;
    setMessageProperty(msg: NodeMessage, expr: string, value: unknown, createMissing?: boolean): void;
    cloneMessage<T>(msg: T): T;
    generateId(): string;
  };
  httpAdmin?: { post(path: string, ...handlers: Handler[]): void; get(path: string, ...handlers: Handler[]): void };
  auth?: { needsPermission(permission: string): Handler };
  settings: Record<string, unknown>;
  log: { info(t: unknown): void; warn(t: unknown): void; error(t: unknown): void; debug(t: unknown): void };
  _(key: string, vars?: Record<string, unknown>): string;
}
