// Long-lived runtime pieces keyed by the configuration slice each one reads, kept across reloads while that slice is unchanged.
import stringify from 'safe-stable-stringify';

export interface Pooled<T> {
  value: T;
  close(): void;
}

/**
 * How one kind of piece is made. `build` is given nothing of the configuration but `slice`, and the pool keys the
 * piece by `slice` serialised, so every setting a piece reads is in its key by construction: a reload that changes
 * one builds a new piece, and one that changes none keeps it.
 */
export interface PieceFactory<Source, Args extends readonly unknown[], Slice, T> {
  /** The piece's kind, as a reload's summary names it (never a value). */
  readonly name: string;
  /** The part of `source` the piece reads, for the piece that `args` name (a region, a credential). */
  select(source: Source, ...args: Args): Slice;
  build(slice: Slice): Pooled<T>;
}

/** Pieces of one kind by slice; `sweep` hands over the ones the latest build did not ask for. */
export class Pool<Source, Args extends readonly unknown[], Slice, T> {
  private readonly entries = new Map<string, Pooled<T>>();
  private used = new Set<string>();
  private builtSinceSweep = 0;

  constructor(private readonly factory: PieceFactory<Source, Args, Slice, T>) {}

  get name(): string {
    return this.factory.name;
  }

  take(source: Source, ...args: Args): T {
    return this.takeSlice(this.factory.select(source, ...args));
  }

  /** For a piece built from another one's slice (an IAM client over its endpoint's HTTP client). */
  takeSlice(slice: Slice): T {
    // Slices are plain data (names, numbers, URLs, lists): a stable serialisation is a complete key.
    const key = stringify(slice) as string;
    this.used.add(key);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = this.factory.build(slice);
      this.entries.set(key, entry);
      this.builtSinceSweep += 1;
    }
    return entry.value;
  }

  /** Ends a successful build: how many pieces it built, and the closers of the entries it did not take, removed from the pool. */
  sweep(): { built: number; gone: Array<() => void> } {
    const gone: Array<() => void> = [];
    for (const [key, entry] of this.entries) {
      if (this.used.has(key)) continue;
      this.entries.delete(key);
      gone.push(() => entry.close());
    }
    const built = this.builtSinceSweep;
    this.used = new Set();
    this.builtSinceSweep = 0;
    return { built, gone };
  }

  /** Ends a failed build: closes what it created (keys not in `kept`) and forgets what it took. */
  discardExcept(kept: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) {
      if (kept.has(key)) continue;
      this.entries.delete(key);
      entry.close();
    }
    this.used = new Set();
    this.builtSinceSweep = 0;
  }

  keys(): Set<string> {
    return new Set(this.entries.keys());
  }

  closeAll(): void {
    for (const entry of this.entries.values()) entry.close();
    this.entries.clear();
  }
}
