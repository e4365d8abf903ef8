/**
 * Duplicate-row detection in bounded memory: each row is reduced to a 64-bit fingerprint (two
 * independent 32-bit hashes) kept in an open-addressing table of typed arrays, so a million rows
 * cost about 16 MB instead of a Set of a million strings.
 */

/** FNV-1a step. */
export function fnvStep(h: number, byte: number): number {
  return Math.imul(h ^ byte, 0x01000193);
}

/** A second, unrelated multiplicative step (31-based, as Java's String.hashCode). */
export function mulStep(h: number, byte: number): number {
  return (Math.imul(h, 31) + byte) | 0;
}

export const FNV_SEED = 0x811c9dc5 | 0;
export const MUL_SEED = 7;

export class FingerprintSet {
  private a: Int32Array;
  private b: Int32Array;
  private used: Uint8Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds the fingerprint; true when it was already there. */
  add(h1: number, h2: number): boolean {
    if ((this.count + 1) * 2 > this.used.length) this.grow();
    return this.insert(h1 | 0, h2 | 0);
  }

  private slot(h1: number, h2: number): number {
    return (h1 ^ Math.imul(h2, 0x9e3779b1)) & this.mask;
  }

  private insert(h1: number, h2: number): boolean {
    let i = this.slot(h1, h2);
    while (this.used[i] === 1) {
      if (this.a[i] === h1 && this.b[i] === h2) return true;
      i = (i + 1) & this.mask;
    }
    this.used[i] = 1;
    this.a[i] = h1;
    this.b[i] = h2;
    this.count++;
    return false;
  }

  private grow(): void {
    const { a, b, used } = this;
    const cap = used.length * 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.insert(a[i], b[i]);
  }
}

/** Collects the row numbers of duplicates (the first few) and their count. */
export class DuplicateTracker {
  private readonly set: FingerprintSet;
  count = 0;
  readonly rows: number[] = [];

  /** `expected`: number of rows, when known, to size the table once. */
  constructor(expected = 1024, private readonly keep = 10) {
    this.set = new FingerprintSet(expected);
  }

  check(h1: number, h2: number, row: number): void {
    if (this.set.add(h1, h2)) {
      this.count++;
      if (this.rows.length < this.keep) this.rows.push(row);
    }
  }
}
