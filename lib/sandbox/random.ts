/** Small deterministic PRNG helpers for the seeded data (no dependency). */

export type Rng = () => number;

/** mulberry32: a fast 32-bit PRNG giving floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one 32-bit seed (murmur3 finaliser per step). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A 32-bit hash of a string (FNV-1a), to seed per-id generators. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Picks by weight: `[[value, weight], ...]`. */
export function pickWeighted<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = rng() * total;
  for (const [value, w] of items) {
    r -= w;
    if (r < 0) return value;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('pick from an empty list');
  return last[0];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** n hex digits (n even) from 32-bit draws. */
function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 8) {
    const w = Math.floor(rng() * 4294967296);
    s += (HEX[w >>> 24] as string) + HEX[(w >>> 16) & 255] + HEX[(w >>> 8) & 255] + HEX[w & 255];
  }
  return s.length === n ? s : s.slice(0, n);
}

/** A version-4 shaped UUID drawn from `rng` (four 32-bit draws). */
export function uuidFrom(rng: Rng): string {
  const h = hex(rng, 32);
  const variant = '89ab'[parseInt(h.charAt(16), 16) & 3] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The first 32 bits (8 hex digits) of the UUID `uuidFrom(rng)` would give, drawing exactly what it
 * draws, without making the string.
 */
export function uuidPrefixFrom(rng: Rng): number {
  const first = Math.floor(rng() * 4294967296);
  rng();
  rng();
  rng();
  return first;
}

const UUID_START = /^[0-9a-f]{8}-/;

/** The first 32 bits of a UUID in uuidFrom's form (lower-case hex); undefined for any other text. */
export function uuidPrefix(id: string): number | undefined {
  return UUID_START.test(id) ? parseInt(id.slice(0, 8), 16) : undefined;
}

/** A digit string of length n. */
export function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 10).toString();
  return s;
}
