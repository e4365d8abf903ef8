/**
 * Duplicate-row detection in bounded memory: each row is reduced to a 64-bit fingerprint (two
 * independent 32-bit hashes) kept in an open-addressing table of typed arrays, so a million rows
 * cost about 11 MB instead of a Set of a million strings.
 */

/**
 * Seeds of the two row hashes, whose steps the scanners inline per byte (roster-scan.ts) or per
 * UTF-16 unit (roster-rows.ts): FNV-1a, `h = Math.imul(h ^ byte, 0x01000193)`, and an unrelated
 * 31-based one as Java's String.hashCode, `h = (Math.imul(h, 31) + byte) | 0`.
 */
export const FNV_SEED = 0x811c9dc5 | 0;
export const MUL_SEED = 7;

const MAX_LOAD = 0.7;

/**
 * An open-addressing set of 64-bit fingerprints in two Int32Arrays (8 bytes a slot, at most 70 %
 * full). The pair (0, 0) marks an empty slot, so a fingerprint (0, 0) is stored as (0, 1).
 */
export class FingerprintSet {
  private a: Int32Array;
  private b: Int32Array;
  private count = 0;
  private limit: number;

  /** `expected`: how many fingerprints will be added, when known (the table is then sized once). */
  constructor(expected = 1024) {
    const cap = Math.max(16, Math.ceil(expected / MAX_LOAD) + 1);
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the fingerprint; true when it was already there. */
  add(h1: number, h2: number): boolean {
    if (this.count >= this.limit) this.grow();
    const x = h1 | 0;
    const y = h1 === 0 && h2 === 0 ? 1 : h2 | 0;
    return this.insert(x, y);
  }

  private insert(x: number, y: number): boolean {
    const { a, b } = this;
    const cap = a.length;
    let i = ((x ^ Math.imul(y, 0x9e3779b1)) >>> 0) % cap;
    while (a[i] !== 0 || b[i] !== 0) {
      if (a[i] === x && b[i] === y) return true;
      i = i + 1 === cap ? 0 : i + 1;
    }
    a[i] = x;
    b[i] = y;
    this.count++;
    return false;
  }

  private grow(): void {
    const { a, b } = this;
    const cap = a.length * 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.limit = Math.floor(cap * MAX_LOAD);
    this.count = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0 || b[i] !== 0) this.insert(a[i], b[i]);
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
