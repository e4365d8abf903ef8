/** Every timer of a sandbox, so close() can clear them all. */
export class TimerSet {
  private readonly live = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs `fn` after `ms`; nothing happens once the set is cleared. */
  set(fn: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const t = setTimeout(() => {
      this.live.delete(t);
      fn();
    }, Math.max(0, ms));
    this.live.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.live.delete(t);
  }

  /** Resolves after `ms` (immediately for 0); never resolves once the set is cleared. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.set(resolve, ms);
    });
  }

  clearAll(): void {
    this.closed = true;
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}
