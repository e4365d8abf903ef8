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
import * as crypto from 'crypto';

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

interface OneShotHash {
  (algorithm: string, data: string, outputEncoding: 'base64url'): string;
  (algorithm: string, data: string, outputEncoding: 'buffer'): Buffer;
}
/** `crypto.hash` (Node.js >= 20.12): the same digest without a Hash object, ~3x faster for short keys. */
const oneShotHash = (crypto as unknown as { hash?: OneShotHash }).hash;

/** sha256 of `text` (UTF-8) in base64url. */
export function sha256Base64url(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'base64url') : crypto.createHash('sha256').update(text, 'utf8').digest('base64url');
}

/**
 * The key the dedupe memory keeps: the first 16 characters of the base64url sha256, i.e. its first 12
 * bytes. Encoded from those bytes rather than cut from the whole text: V8 keeps a cut-out string tied
 * to the 43-character text it came from, so 100,000 kept keys took 9.9 MiB instead of 3.6 MiB (the
 * text, and so a store saved by an earlier version, is the same).
 */
export function hashKey(key: string): string {
  const digest = oneShotHash ? oneShotHash('sha256', key, 'buffer') : crypto.createHash('sha256').update(key, 'utf8').digest();
  return digest.toString('base64url', 0, 12);
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
  /**
   * Entries dropped beyond the excess when the bound is hit, and expired entries left until that
   * many gathered: amortises the O(n) array shift over a batch of events. 0 (exact, one by one)
   * below 64 entries.
   */
  private readonly batch: number;
  private readonly storage: DedupeStorage;
  private readonly now: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Index of the last state object seen (hash -> newest first-seen time): reused while the store
   * hands back the same object (memory stores) with the length this deduper left it at.
   */
  private indexed?: { state: DedupeState; keys: Map<string, number>; length: number };
  private lastSize = 0;

  constructor(opts: DeduperOptions) {
    this.windowMs = Math.max(1, opts.windowMs);
    this.maxEntries = Math.max(1, Math.floor(opts.maxEntries));
    this.batch = Math.floor(this.maxEntries / 64);
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

  /**
   * Forgets `key` (when it is remembered), so the platform's next push of that event counts as new:
   * for an event whose delivery failed after it was remembered. Rejects only when the storage fails.
   */
  forget(key: string): Promise<void> {
    const run = this.queue.then(() => this.drop(hashKey(key)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async drop(hash: string): Promise<void> {
    const loaded = await this.storage.load();
    if (!isState(loaded)) return;
    const keys = this.indexFor(loaded);
    const at = loaded.k.lastIndexOf(hash);
    if (at < 0) return;
    loaded.k.splice(at, 1);
    loaded.t.splice(at, 1);
    // an older entry of the same hash (re-seen after it expired) stands again, else none
    const before = loaded.k.lastIndexOf(hash);
    if (before >= 0) keys.set(hash, loaded.t[before]);
    else keys.delete(hash);
    await this.storage.save(loaded);
    this.remember(loaded);
  }

  private async check(hash: string): Promise<boolean> {
    const loaded = await this.storage.load();
    const state = isState(loaded) ? loaded : emptyState();
    const keys = this.indexFor(state);
    const now = this.now();
    const cutoff = now - this.windowMs;
    const pruned = this.prune(state, keys, cutoff);
    const firstSeen = keys.get(hash);
    if (firstSeen !== undefined && firstSeen > cutoff) {
      if (pruned || state !== loaded) await this.storage.save(state);
      this.remember(state);
      return true;
    }
    state.k.push(hash);
    state.t.push(now);
    keys.set(hash, now);
    this.prune(state, keys, cutoff);
    await this.storage.save(state);
    this.remember(state);
    return false;
  }

  private remember(state: DedupeState): void {
    this.lastSize = state.k.length;
    if (this.indexed && this.indexed.state === state) this.indexed.length = state.k.length;
  }

  private indexFor(state: DedupeState): Map<string, number> {
    if (this.indexed && this.indexed.state === state && this.indexed.length === state.k.length) return this.indexed.keys;
    // oldest first: a hash stored twice (re-seen after it expired, or two racing instances) keeps its newest time
    const keys = new Map<string, number>();
    state.k.forEach((h, i) => keys.set(h, state.t[i]));
    this.indexed = { state, keys, length: state.k.length };
    return keys;
  }

  /**
   * Drops, oldest first, expired entries once a batch of them has gathered (until then the time
   * check in check() ignores them), and on going over maxEntries a batch more than the excess,
   * so the array shift is paid once per batch instead of once per event. True when any went.
   */
  private prune(state: DedupeState, keys: Map<string, number>, cutoff: number): boolean {
    const len = state.k.length;
    const over = len - this.maxEntries;
    let expired = 0;
    while (expired < len && !(state.t[expired] > cutoff)) expired++;
    if (over <= 0 && (expired === 0 || expired < this.batch)) return false;
    const n = over > 0 ? Math.max(expired, over + this.batch) : expired;
    for (let i = 0; i < n; i++) {
      const h = state.k[i];
      if (keys.get(h) === state.t[i]) keys.delete(h);
    }
    state.k.splice(0, n);
    state.t.splice(0, n);
    return true;
  }
}
