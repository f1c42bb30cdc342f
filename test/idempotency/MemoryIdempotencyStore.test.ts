// Idempotency records in memory: expiry by the injected clock, a bounded number of keys.
import { MemoryIdempotencyStore } from '../../src/idempotency/MemoryIdempotencyStore';
import { FakeClock } from '../support/fakeClock';

const RESPONSE = { status: 200, body: '{"results":[],"count":0}' };

describe('MemoryIdempotencyStore', () => {
  it('keeps a claim, then the response, until their TTLs end by the injected clock', async () => {
    const clock = new FakeClock();
    const store = new MemoryIdempotencyStore(clock);
    expect(await store.claim('k', 'f', 1_000)).toBeUndefined();
    clock.advance(999);
    expect(await store.claim('k', 'f', 1_000)).toEqual({ state: 'in-flight', fingerprint: 'f' });
    await store.complete('k', 'f', RESPONSE, 5_000);
    clock.advance(4_999);
    expect(await store.claim('k', 'f', 1_000)).toEqual({ state: 'done', fingerprint: 'f', response: RESPONSE });
    clock.advance(1);
    expect(await store.claim('k', 'f', 1_000)).toBeUndefined();
  });

  it('frees a released key for a new claim', async () => {
    const store = new MemoryIdempotencyStore(new FakeClock());
    await store.claim('k', 'f', 1_000);
    await store.release('k');
    expect(await store.claim('k', 'g', 1_000)).toBeUndefined();
  });

  it('holds at most 100,000 keys, the least recently used leaving first', async () => {
    const store = new MemoryIdempotencyStore(new FakeClock());
    for (let i = 0; i < 100_000; i += 1) await store.claim(`k${i}`, 'f', 60_000);
    await store.claim('k100000', 'f', 60_000);
    expect(await store.claim('k1', 'f', 60_000)).toEqual({ state: 'in-flight', fingerprint: 'f' });
    expect(await store.claim('k0', 'f', 60_000)).toBeUndefined();
  });
});
