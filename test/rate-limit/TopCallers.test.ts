// The top callers in memory: counts per sub and tier in epoch-aligned windows, a bounded set, and a lost count that never fails a request.
import { createTopCallers, MAX_COUNTED_CALLERS, MAX_COUNTED_SUB_CHARS, MemoryTopCallersStore, type TopCallersStore } from '../../src/rate-limit/TopCallers';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';

const WINDOW_MS = 60_000;

const setup = (store: TopCallersStore = new MemoryTopCallersStore()) => {
  // At the start of a window, so a test knows when the next one begins.
  const clock = new FakeClock(Math.ceil(Date.UTC(2026, 10, 28, 12) / WINDOW_MS) * WINDOW_MS);
  const metrics = new CountingMetrics();
  return { clock, metrics, top: createTopCallers({ store, clock, metrics }) };
};

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('createTopCallers in memory', () => {
  it('counts requests per sub and tier, most first, a sub with spaces and slashes kept whole', async () => {
    const { top } = setup();
    for (let i = 0; i < 3; i += 1) top.record('services', 'svc/a b@x', WINDOW_MS);
    top.record('caller', 'svc/a b@x', WINDOW_MS);
    top.record('caller', 'alice', WINDOW_MS);
    top.record('caller', 'alice', WINDOW_MS);
    await settled();
    expect(await top.top(20, WINDOW_MS)).toEqual({
      windowMs: WINDOW_MS,
      callers: [
        { sub: 'svc/a b@x', tier: 'services', requests: 3 },
        { sub: 'alice', tier: 'caller', requests: 2 },
        { sub: 'svc/a b@x', tier: 'caller', requests: 1 },
      ],
    });
    expect((await top.top(2, WINDOW_MS)).callers.map((c) => c.requests)).toEqual([3, 2]);
  });

  it('starts every window empty: the previous window is neither shown nor kept', async () => {
    const { clock, top } = setup();
    top.record('caller', 'alice', WINDOW_MS);
    await settled();
    clock.advance(WINDOW_MS - 1);
    expect((await top.top(20, WINDOW_MS)).callers).toHaveLength(1);
    clock.advance(1);
    expect((await top.top(20, WINDOW_MS)).callers).toEqual([]);
    top.record('caller', 'bob', WINDOW_MS);
    await settled();
    expect((await top.top(20, WINDOW_MS)).callers).toEqual([{ sub: 'bob', tier: 'caller', requests: 1 }]);
  });

  it(`keeps at most ${MAX_COUNTED_CALLERS} callers per window, dropping the least counted, and the busiest keep their counts`, async () => {
    const { top } = setup();
    for (let i = 0; i < 5; i += 1) top.record('caller', 'heavy', WINDOW_MS);
    for (let i = 0; i <= MAX_COUNTED_CALLERS; i += 1) top.record('caller', `one-off-${i}`, WINDOW_MS);
    await settled();
    const callers = (await top.top(2 * MAX_COUNTED_CALLERS, WINDOW_MS)).callers;
    expect(callers.length).toBeLessThanOrEqual(MAX_COUNTED_CALLERS);
    expect(callers[0]).toEqual({ sub: 'heavy', tier: 'caller', requests: 5 });
  });

  it(`counts a sub by its first ${MAX_COUNTED_SUB_CHARS} characters and a digest of the whole, so long subs stay apart and small`, async () => {
    const { top } = setup();
    const start = 'x'.repeat(MAX_COUNTED_SUB_CHARS);
    top.record('caller', `${start}-first`, WINDOW_MS);
    top.record('caller', `${start}-first`, WINDOW_MS);
    top.record('caller', `${start}-second`, WINDOW_MS);
    await settled();
    const callers = (await top.top(20, WINDOW_MS)).callers;
    expect(callers.map((c) => c.requests)).toEqual([2, 1]);
    for (const counted of callers) expect(counted.sub).toMatch(new RegExp(`^${start}…[0-9a-f]{16}$`));
    expect(callers[0]?.sub).not.toBe(callers[1]?.sub);
  });

  it('loses a count the store fails to take, without throwing, and counts the failure', async () => {
    const failing: TopCallersStore = { add: () => Promise.reject(new Error('Connection is closed.')), top: async () => [] };
    const { top, metrics } = setup(failing);
    expect(() => top.record('caller', 'alice', WINDOW_MS)).not.toThrow();
    await settled();
    expect(metrics.count('store_error:rate-limit')).toBe(1);
  });
});
