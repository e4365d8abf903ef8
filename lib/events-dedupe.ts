/**
 * Remembers which pushes were already accepted, so the platform's retries (the same event up to
 * 31 times over ~8 hours) reach the flow once.
 *
 * The memory lives in a caller-supplied storage (in Node-RED: the node context, in a store the
 * user names) so several instances behind one load balancer can share it through a shared
 * context store. The stored value is one compact, JSON-serialisable structure:
 *
 *   { v: 1, k: [hash, ...], t: [epochMs, ...] }   oldest first, at most maxEntries long
 *
 * `k` holds a 16-character hash of each event key (not the key), `t` when it was first seen.
 * Through Node-RED's context API a key per event with its own expiry is not possible, so the
 * whole structure is read and written for every event: the cost grows with maxEntries, which is
 * why it is bounded (and why a shared store wants a maxEntries close to the real traffic of one
 * window). Operations of one deduper run one at a time; instances sharing a store can still
 * race (read, read, write, write): a retry arriving at two instances within a few milliseconds
 * may pass twice. The platform retries minutes apart, so this is rare.
 */
import { createHash } from 'crypto';

export interface DedupeState {
  v: 1;
  /** Hashes of event keys, oldest first. */
  k: string[];
  /** First-seen times (epoch ms), parallel to k. */
  t: number[];
}

export interface DedupeStorage {
  load(): Promise<unknown>;
  save(state: DedupeState): Promise<void>;
}

export interface DeduperOptions {
  windowMs: number;
  maxEntries: number;
  storage: DedupeStorage;
  now?: () => number;
}

export const DEFAULT_DEDUPE_WINDOW_MS = 8 * 3600 * 1000;
export const DEFAULT_DEDUPE_MAX = 100000;

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url').slice(0, 16);
}

function isState(v: unknown): v is DedupeState {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Partial<DedupeState>;
  return s.v === 1 && Array.isArray(s.k) && Array.isArray(s.t) && s.k.length === s.t.length;
}

export function emptyState(): DedupeState {
  return { v: 1, k: [], t: [] };
}

export class EventDeduper {
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly storage: DedupeStorage;
  private readonly now: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  /** Index of the last state object seen: reused while the store hands back the same object (memory stores). */
  private indexed?: { state: DedupeState; keys: Set<string> };
  private lastSize = 0;

  constructor(opts: DeduperOptions) {
    this.windowMs = Math.max(1, opts.windowMs);
    this.maxEntries = Math.max(1, Math.floor(opts.maxEntries));
    this.storage = opts.storage;
    this.now = opts.now ?? Date.now;
  }

  /** Entries held after the last operation. */
  get size(): number {
    return this.lastSize;
  }

  /**
   * True when `key` was seen within the window (a duplicate). Otherwise remembers it and
   * resolves false. Rejects only when the storage fails.
   */
  seen(key: string): Promise<boolean> {
    const run = this.queue.then(() => this.check(hashKey(key)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async check(hash: string): Promise<boolean> {
    const loaded = await this.storage.load();
    const state = isState(loaded) ? loaded : emptyState();
    const keys = this.indexFor(state);
    const now = this.now();
    const cutoff = now - this.windowMs;
    const pruned = this.prune(state, keys, cutoff);
    if (keys.has(hash)) {
      if (pruned || state !== loaded) await this.storage.save(state);
      this.lastSize = state.k.length;
      return true;
    }
    state.k.push(hash);
    state.t.push(now);
    keys.add(hash);
    this.prune(state, keys, cutoff);
    await this.storage.save(state);
    this.lastSize = state.k.length;
    return false;
  }

  private indexFor(state: DedupeState): Set<string> {
    if (this.indexed && this.indexed.state === state && this.indexed.keys.size === state.k.length) return this.indexed.keys;
    const keys = new Set(state.k);
    if (keys.size !== state.k.length) dropDuplicates(state);
    this.indexed = { state, keys };
    return keys;
  }

  /** Drops, oldest first, the entries seen at or before `cutoff` and those over maxEntries. True when any went. */
  private prune(state: DedupeState, keys: Set<string>, cutoff: number): boolean {
    const len = state.k.length;
    let n = 0;
    while (n < len && (len - n > this.maxEntries || !(state.t[n] > cutoff))) n++;
    if (n === 0) return false;
    for (const h of state.k.slice(0, n)) keys.delete(h);
    state.k.splice(0, n);
    state.t.splice(0, n);
    return true;
  }
}

/** Keeps the first occurrence of each hash (a state written by two racing instances may repeat one). */
function dropDuplicates(state: DedupeState): void {
  const seenKeys = new Set<string>();
  const k: string[] = [];
  const t: number[] = [];
  state.k.forEach((h, i) => {
    if (seenKeys.has(h)) return;
    seenKeys.add(h);
    k.push(h);
    t.push(state.t[i]);
  });
  state.k = k;
  state.t = t;
}
