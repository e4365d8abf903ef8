/**
 * The current state of every agent, built from agentStateEvent pushes (beyond the platform: the
 * platform only pushes changes). Bounded (least recently changed agents go first), tolerant of
 * out-of-order and repeated events, and serialisable to a plain JSON structure so a Node-RED
 * context store can keep it across redeploys and restarts.
 */
import { eventTimeIso } from './events-time';
import { isObject } from './events-legacy';

type Obj = Record<string, unknown>;

export const DEFAULT_MAX_AGENTS = 10000;

/** What is kept per agent (short names: the whole board is written on each change). */
export interface AgentRecord {
  /** acState */
  s: string;
  /** name */
  n?: string;
  /** serial, when numeric */
  q?: number;
  /** stateChangeTime (else timestamp) as epoch ms */
  a?: number;
}

export interface AgentBoardState {
  v: 1;
  /** [agent id, record], least recently changed first. */
  agents: [string, AgentRecord][];
}

export interface AgentChange {
  agent: string;
  name?: string;
  state: string;
  /** The state before this event: the one we held, else the event's lastACState, else null. */
  previous: string | null;
  /** When the agent entered `state` (ISO), when the event says. */
  since?: string;
  /** Agents per state, over every agent held. */
  counts: Record<string, number>;
  /** Number of agents held. */
  total: number;
}

export type ApplyResult =
  | { kind: 'change'; change: AgentChange }
  /** Newer event, same state (e.g. another reason): kept, nothing to report. */
  | { kind: 'same' }
  /** Older than (or the same event as) what is held: ignored. */
  | { kind: 'stale' }
  | { kind: 'invalid' };

export interface AgentSnapshot {
  agents: Record<string, { state: string; name?: string; since?: string }>;
  counts: Record<string, number>;
  total: number;
}

function numeric(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

function eventInstant(ev: Obj): number | undefined {
  const iso = eventTimeIso(ev.stateChangeTime) ?? eventTimeIso(ev.timestamp);
  return iso === undefined ? undefined : Date.parse(iso);
}

/**
 * -1 when `next` is older than `held`, 0 when they cannot be told apart (the same event), 1 when
 * newer. Compares the state change time first, then the serial; with neither comparable, the
 * later arrival wins.
 */
export function compareOrder(held: AgentRecord, next: AgentRecord): -1 | 0 | 1 {
  let comparable = false;
  for (const k of ['a', 'q'] as const) {
    const h = held[k];
    const n = next[k];
    if (h === undefined || n === undefined) continue;
    comparable = true;
    if (n !== h) return n > h ? 1 : -1;
  }
  return comparable ? 0 : 1;
}

/** Longest msg.topic text shown in a warning. */
const TOPIC_SHOWN = 80;

/**
 * `msg.topic` as a warning can show it, never throwing: a text (cut at 80 characters), a number or
 * boolean, else its kind (`object`, `array`). `String()` throws on an object whose `toString` is
 * no function (`{"toString": 1}` from JSON, `Object.create(null)`).
 */
export function topicText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.length > TOPIC_SHOWN ? `${v.slice(0, TOPIC_SHOWN)}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return Array.isArray(v) ? 'array' : typeof v;
}

function isRecord(v: unknown): v is AgentRecord {
  return isObject(v) && typeof v.s === 'string' && v.s !== '';
}

export class AgentStateBoard {
  private readonly agents = new Map<string, AgentRecord>();
  private readonly tally = new Map<string, number>();
  readonly maxAgents: number;

  constructor(maxAgents: number = DEFAULT_MAX_AGENTS) {
    this.maxAgents = Math.max(1, Math.floor(maxAgents));
  }

  /** A board from a stored structure; anything unreadable in it is skipped. */
  static restore(stored: unknown, maxAgents?: number): AgentStateBoard {
    const board = new AgentStateBoard(maxAgents);
    if (!isObject(stored) || stored.v !== 1 || !Array.isArray(stored.agents)) return board;
    for (const entry of stored.agents) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && isRecord(entry[1])) board.put(entry[0], entry[1]);
    }
    return board;
  }

  get size(): number {
    return this.agents.size;
  }

  /** Applies one agentStateEvent (current shape; legacy events are normalised by lib/events first). */
  apply(ev: Obj): ApplyResult {
    const id = ev.id;
    const state = ev.acState;
    if (typeof id !== 'string' || id === '' || typeof state !== 'string' || state === '') return { kind: 'invalid' };
    const next: AgentRecord = { s: state };
    if (typeof ev.name === 'string' && ev.name !== '') next.n = ev.name;
    const q = numeric(ev.serial);
    if (q !== undefined) next.q = q;
    const a = eventInstant(ev);
    if (a !== undefined) next.a = a;

    const held = this.agents.get(id);
    if (held && compareOrder(held, next) <= 0) return { kind: 'stale' };
    if (held && !next.n && held.n) next.n = held.n;
    this.put(id, next);
    if (held && held.s === state) return { kind: 'same' };

    const lastAC = typeof ev.lastACState === 'string' && ev.lastACState !== '' ? ev.lastACState : null;
    const change: AgentChange = { agent: id, state, previous: held ? held.s : lastAC, counts: this.counts(), total: this.agents.size };
    if (next.n) change.name = next.n;
    if (next.a !== undefined) change.since = new Date(next.a).toISOString();
    return { kind: 'change', change };
  }

  // Agent ids and states come from the pushed events and may be any text, `__proto__` too: the
  // objects below are built with Object.fromEntries, which defines each key as an own field
  // (`out[key] = v` would set the object's prototype for `__proto__`, and the entry would be lost).

  counts(): Record<string, number> {
    const out: [string, number][] = [];
    for (const [state, n] of this.tally) if (n > 0) out.push([state, n]);
    return Object.fromEntries(out);
  }

  snapshot(): AgentSnapshot {
    const agents: [string, AgentSnapshot['agents'][string]][] = [];
    for (const [id, r] of this.agents) {
      const entry: AgentSnapshot['agents'][string] = { state: r.s };
      if (r.n) entry.name = r.n;
      if (r.a !== undefined) entry.since = new Date(r.a).toISOString();
      agents.push([id, entry]);
    }
    return { agents: Object.fromEntries(agents), counts: this.counts(), total: this.agents.size };
  }

  clear(): void {
    this.agents.clear();
    this.tally.clear();
  }

  toJSON(): AgentBoardState {
    return { v: 1, agents: Array.from(this.agents.entries()) };
  }

  /** Stores `rec` as the newest entry, evicting the least recently changed agents beyond the limit. */
  private put(id: string, rec: AgentRecord): void {
    const old = this.agents.get(id);
    if (old) {
      this.count(old.s, -1);
      this.agents.delete(id);
    }
    this.agents.set(id, rec);
    this.count(rec.s, 1);
    while (this.agents.size > this.maxAgents) {
      const [oldestId, oldest] = this.agents.entries().next().value as [string, AgentRecord];
      this.agents.delete(oldestId);
      this.count(oldest.s, -1);
    }
  }

  private count(state: string, delta: number): void {
    const n = (this.tally.get(state) ?? 0) + delta;
    if (n > 0) this.tally.set(state, n);
    else this.tally.delete(state);
  }
}
