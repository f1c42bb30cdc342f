// A limiter's shared store: counted in Redis while it answers, then by RATE_LIMIT_ON_STORE_ERROR while it fails, and back.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { StoreErrorPolicy } from '../../src/failover/StoreFailover';
import { SharedRateLimitStore } from '../../src/rate-limit/SharedRateLimitStore';
import { CountingMetrics } from '../support/CountingMetrics';

/** The shared (Redis) store as the failover sees it: counts per key, or fails every call while `down`. */
class SwitchableStore implements Store {
  down = false;
  readonly hits = new Map<string, number>();
  readonly prefix = 'gw:rl:caller:';

  async increment(key: string): Promise<ClientRateLimitInfo> {
    if (this.down) throw new Error('Connection is closed.');
    const totalHits = (this.hits.get(key) ?? 0) + 1;
    this.hits.set(key, totalHits);
    return { totalHits, resetTime: new Date(Date.UTC(2026, 10, 28, 12, 1)) };
  }
  async decrement(key: string): Promise<void> {
    if (this.down) throw new Error('Connection is closed.');
    this.hits.set(key, (this.hits.get(key) ?? 1) - 1);
  }
  async resetKey(key: string): Promise<void> {
    this.hits.delete(key);
  }
}

interface Line {
  level: 'warn' | 'info';
  obj: object;
  msg: string;
}

const setup = (policy: StoreErrorPolicy) => {
  const shared = new SwitchableStore();
  const metrics = new CountingMetrics();
  const lines: Line[] = [];
  const store = new SharedRateLimitStore(shared, policy, 'caller', metrics, {
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
  });
  store.init({ windowMs: 60_000 } as Options);
  return { shared, metrics, lines, store };
};

const FAILED = 'rate-limit store failed';
const BACK = 'rate-limit store is back; shared limits resume';

describe('SharedRateLimitStore: healthy, failing, and back again', () => {

  it('counts in the shared store while it is healthy, logging nothing', async () => {
    const { shared, metrics, lines, store } = setup('local');
    expect((await store.increment('a')).totalHits).toBe(1);
    expect((await store.increment('a')).totalHits).toBe(2);
    expect(shared.hits.get('a')).toBe(2);
    expect(lines).toEqual([]);
    expect(metrics.count('store_error:rate-limit')).toBe(0);
    store.shutdown();
  });

  it('local: counts in memory while the shared store fails, warns once, and says once when the shared store is back', async () => {
    const { shared, metrics, lines, store } = setup('local');
    await store.increment('a');
    shared.down = true;
    expect((await store.increment('a')).totalHits).toBe(1);
    expect((await store.increment('a')).totalHits).toBe(2);
    expect((await store.increment('a')).totalHits).toBe(3);
    expect(lines).toEqual([{ level: 'warn', obj: { limiter: 'caller', policy: 'local', reason: 'Connection is closed.' }, msg: FAILED }]);
    expect(metrics.count('store_error:rate-limit')).toBe(3);

    shared.down = false;
    expect((await store.increment('a')).totalHits).toBe(2);
    await store.increment('a');
    expect(lines.map((line) => line.msg)).toEqual([FAILED, BACK]);
    expect(lines[1]).toEqual({ level: 'info', obj: { limiter: 'caller' }, msg: BACK });
    expect(metrics.count('store_error:rate-limit')).toBe(3);
    store.shutdown();
  });

  it('open: lets every hit through uncounted while failing', async () => {
    const { shared, lines, store } = setup('open');
    shared.down = true;
    for (let i = 0; i < 5; i += 1) expect(await store.increment('a')).toEqual({ totalHits: 0, resetTime: undefined });
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    shared.down = false;
    expect((await store.increment('a')).totalHits).toBe(1);
    store.shutdown();
  });

  it('closed: refuses every hit with 503 GW.5030 while failing, and counts again after recovery', async () => {
    const { shared, metrics, lines, store } = setup('closed');
    shared.down = true;
    for (let i = 0; i < 3; i += 1) {
      await expect(store.increment('a')).rejects.toMatchObject({ code: 'GW.5030', status: 503, options: { retryAfterSeconds: 5 } });
    }
    expect(metrics.count('store_error:rate-limit')).toBe(3);
    shared.down = false;
    expect((await store.increment('a')).totalHits).toBe(1);
    expect(lines.map((line) => line.msg)).toEqual([FAILED, BACK]);
    store.shutdown();
  });

  it('logs each transition once, also when many hits fail at the same time and when it fails again later', async () => {
    const { shared, lines, store } = setup('local');
    shared.down = true;
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.increment(`k${i}`)));
    shared.down = false;
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.increment(`k${i}`)));
    shared.down = true;
    await store.increment('k0');
    await store.increment('k1');
    expect(lines.map((line) => line.msg)).toEqual([FAILED, BACK, FAILED]);
    store.shutdown();
  });

  it('takes back a hit from memory when the shared store fails on decrement', async () => {
    const { shared, store } = setup('local');
    shared.down = true;
    await store.increment('a');
    await store.increment('a');
    await store.decrement('a');
    expect((await store.increment('a')).totalHits).toBe(2);
    store.shutdown();
  });
});
