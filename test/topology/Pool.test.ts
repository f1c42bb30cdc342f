// The generic pool: one piece per slice, kept while a build asks for it, closed when a build no longer does.
import { Pool } from '../../src/topology/Pool';

interface Piece {
  slice: { name: string; size: number };
  closed: boolean;
}

const pieces = () => {
  const built: Piece[] = [];
  const pool = new Pool({
    name: 'piece',
    select: (source: { size: number }, name: string) => ({ name, size: source.size }),
    build: (slice: { name: string; size: number }) => {
      const piece = { slice, closed: false };
      built.push(piece);
      return { value: piece, close: () => (piece.closed = true) };
    },
  });
  return { pool, built };
};

describe('Pool', () => {
  it('keys a piece by its slice, whatever the order of the slice’s fields', () => {
    const { pool, built } = pieces();
    const first = pool.take({ size: 1 }, 'a');
    expect(pool.takeSlice({ size: 1, name: 'a' })).toBe(first);
    expect(pool.take({ size: 2 }, 'a')).not.toBe(first);
    expect(built).toHaveLength(2);
  });

  it('sweeps what the last build did not take: counted as built, closed only when the closer is called', () => {
    const { pool } = pieces();
    const old = pool.take({ size: 1 }, 'a');
    pool.sweep();
    const kept = pool.take({ size: 1 }, 'b');
    const { built, gone } = pool.sweep();
    expect(built).toBe(1);
    expect(gone).toHaveLength(1);
    expect(old.closed).toBe(false);
    gone.forEach((close) => close());
    expect(old.closed).toBe(true);
    expect(kept.closed).toBe(false);
  });

  it('after a failed build closes only what that build created, and keeps the rest', () => {
    const { pool } = pieces();
    const kept = pool.take({ size: 1 }, 'a');
    pool.sweep();
    const before = pool.keys();
    pool.take({ size: 1 }, 'a');
    const fresh = pool.take({ size: 9 }, 'a');
    pool.discardExcept(before);
    expect(fresh.closed).toBe(true);
    expect(kept.closed).toBe(false);
    expect(pool.take({ size: 1 }, 'a')).toBe(kept);
  });

  it('closes every piece at shutdown', () => {
    const { pool, built } = pieces();
    pool.take({ size: 1 }, 'a');
    pool.take({ size: 2 }, 'b');
    pool.closeAll();
    expect(built.map((piece) => piece.closed)).toEqual([true, true]);
  });
});
