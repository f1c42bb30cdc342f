import { createIdempotency } from '../../src/idempotency/createIdempotency';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../src/idempotency/IdempotencyStore';
import { MemoryIdempotencyStore } from '../../src/idempotency/MemoryIdempotencyStore';
import type { StoreErrorPolicy } from '../../src/failover/StoreFailover';
import { testFailover } from '../support/testFailover';
import { FakeClock } from '../support/fakeClock';

/** Wraps a store and counts its calls; fails every call while `down`, as Redis does when it is gone. */
class SwitchableStore implements IdempotencyStore {
  down = false;
  calls = 0;
  constructor(private readonly inner: IdempotencyStore) {}

  private async use<T>(work: () => Promise<T>): Promise<T> {
    this.calls += 1;
    if (this.down) throw new Error('Connection is closed.');
    return work();
  }
  claim(key: string, fingerprint: string, ttl: number): Promise<IdempotencyRecord | undefined> {
    return this.use(() => this.inner.claim(key, fingerprint, ttl));
  }
  complete(key: string, fingerprint: string, response: StoredResponse, ttl: number): Promise<void> {
    return this.use(() => this.inner.complete(key, fingerprint, response, ttl));
  }
  release(key: string): Promise<void> {
    return this.use(() => this.inner.release(key));
  }
}

const REQUEST = { sub: 'caller-1', key: 'order-42', projectId: 'p'.repeat(32), body: { jobs: [{ job_id: 'j1', precheck_mode: 'forStartJob' }] } };
const RESPONSE: StoredResponse = { status: 200, body: '{"results":[],"count":0}' };

const setup = (policy: StoreErrorPolicy) => {
  const clock = new FakeClock();
  const shared = new SwitchableStore(new MemoryIdempotencyStore(clock));
  const local = new SwitchableStore(new MemoryIdempotencyStore(clock));
  const { failover: stores, metrics, lines } = testFailover<IdempotencyStore>({ shared, local, policy, store: 'idempotency' });
  const warnings = () => lines.filter((line) => line.level === 'warn').map(({ obj, msg }) => ({ obj, msg }));
  const idempotency = createIdempotency({ stores, inFlightTtlMs: () => 30_000 });
  return { shared, local, metrics, warnings, idempotency };
};

describe('createIdempotency with a healthy shared store', () => {
  it('claims in the shared store, replays the stored 200, refuses a repeat in flight (409) and another body (422)', async () => {
    const { shared, local, idempotency } = setup('closed');
    const first = await idempotency.begin(REQUEST);
    if (first.kind !== 'first') throw new Error(`expected first, got ${first.kind}`);
    await expect(idempotency.begin(REQUEST)).rejects.toMatchObject({ code: 'GW.0409' });
    await expect(idempotency.begin({ ...REQUEST, body: { jobs: [] } })).rejects.toMatchObject({ code: 'GW.0422' });
    await first.finish(RESPONSE);
    await expect(idempotency.begin(REQUEST)).resolves.toEqual({ kind: 'replay', response: RESPONSE });
    expect(local.calls).toBe(0);
    expect(shared.calls).toBe(5);
  });
});

describe('createIdempotency claim lifetime', () => {
  it('asks for the in-flight lifetime at every claim, so a reload that changes the upstream timeouts applies to the next claim', async () => {
    const ttls: number[] = [];
    const clock = new FakeClock();
    const memory = new MemoryIdempotencyStore(clock);
    const recording: IdempotencyStore = {
      claim: (key, fingerprint, ttl) => (ttls.push(ttl), memory.claim(key, fingerprint, ttl)),
      complete: (...args) => memory.complete(...args),
      release: (key) => memory.release(key),
    };
    const { failover: stores } = testFailover<IdempotencyStore>({ shared: recording, local: new MemoryIdempotencyStore(clock), policy: 'closed', store: 'idempotency' });
    let ttl = 30_000;
    const idempotency = createIdempotency({ stores, inFlightTtlMs: () => ttl });
    await idempotency.begin(REQUEST);
    ttl = 12_000;
    await idempotency.begin({ ...REQUEST, key: 'order-43' });
    expect(ttls).toEqual([30_000, 12_000]);
  });
});

describe('createIdempotency when the shared store fails', () => {
  it('open: runs the request without the guarantee, every time, and never touches memory', async () => {
    const { shared, local, metrics, warnings, idempotency } = setup('open');
    shared.down = true;
    await expect(idempotency.begin(REQUEST)).resolves.toEqual({ kind: 'unprotected' });
    await expect(idempotency.begin(REQUEST)).resolves.toEqual({ kind: 'unprotected' });
    expect(local.calls).toBe(0);
    expect(metrics.count('store_error:idempotency')).toBe(2);
    expect(warnings()[0]).toEqual({ obj: { reason: 'Connection is closed.', policy: 'open' }, msg: 'test store failed' });
  });

  it('closed: refuses with 503 GW.5030 and Retry-After before anything runs', async () => {
    const { shared, local, metrics, idempotency } = setup('closed');
    shared.down = true;
    await expect(idempotency.begin(REQUEST)).rejects.toMatchObject({ code: 'GW.5030', status: 503, options: { retryAfterSeconds: 5 } });
    expect(local.calls).toBe(0);
    expect(metrics.count('store_error:idempotency')).toBe(1);
  });

  it('local: keeps the guarantee in memory while the shared store is down', async () => {
    const { shared, local, idempotency } = setup('local');
    shared.down = true;
    const first = await idempotency.begin(REQUEST);
    if (first.kind !== 'first') throw new Error(`expected first, got ${first.kind}`);
    await first.finish(RESPONSE);
    await expect(idempotency.begin(REQUEST)).resolves.toEqual({ kind: 'replay', response: RESPONSE });
    expect(local.calls).toBe(3);
  });

  it.each(['open', 'closed'] as const)('%s: uses the shared store again as soon as it answers', async (policy) => {
    const { shared, local, idempotency } = setup(policy);
    shared.down = true;
    await idempotency.begin(REQUEST).catch(() => undefined);
    shared.down = false;
    const first = await idempotency.begin(REQUEST);
    if (first.kind !== 'first') throw new Error(`expected first, got ${first.kind}`);
    await first.finish(RESPONSE);
    await expect(idempotency.begin(REQUEST)).resolves.toEqual({ kind: 'replay', response: RESPONSE });
    expect(local.calls).toBe(0);
  });
});
