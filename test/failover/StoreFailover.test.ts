// The one store-failure wrapper the limiters, the job budget and idempotency share: the decision, the counting and the log lines.
import type { StoreErrorPolicy } from '../../src/failover/StoreFailover';
import { testFailover } from '../support/testFailover';

/** Stands for a store: answers with its name, or fails every call while `down`, as Redis does when it is gone. */
class NamedStore {
  down = false;
  calls = 0;
  constructor(readonly name: string) {}
  async read(): Promise<string> {
    this.calls += 1;
    if (this.down) throw new Error('Connection is closed.');
    return this.name;
  }
}

const setup = (policy: StoreErrorPolicy, withShared = true) => {
  const local = new NamedStore('memory');
  const shared = withShared ? new NamedStore('redis') : undefined;
  const { failover, metrics, lines } = testFailover<NamedStore>({ local, shared, policy, store: 'idempotency', context: { limiter: 'caller' } });
  const read = () => failover.run((store) => store.read(), () => 'open');
  return { local, shared: shared as NamedStore, metrics, lines, read };
};

describe('StoreFailover: the RATE_LIMIT_ON_STORE_ERROR decision shared by limiters, job budget and idempotency', () => {
  it('local answers from the instance memory', async () => {
    const { shared, read } = setup('local');
    shared.down = true;
    await expect(read()).resolves.toBe('memory');
  });

  it('open lets the request through without the store', async () => {
    const { shared, local, read } = setup('open');
    shared.down = true;
    await expect(read()).resolves.toBe('open');
    expect(local.calls).toBe(0);
  });

  it('closed refuses with 503 GW.5030 and Retry-After', async () => {
    const { shared, local, read } = setup('closed');
    shared.down = true;
    await expect(read()).rejects.toMatchObject({ code: 'GW.5030', status: 503, options: { retryAfterSeconds: 5 } });
    expect(local.calls).toBe(0);
  });
});

describe('StoreFailover: healthy, failing, back again, and without Redis', () => {
  it.each(['local', 'open', 'closed'] as const)('%s: uses the shared store while it answers, logging and counting nothing', async (policy) => {
    const { local, metrics, lines, read } = setup(policy);
    await expect(read()).resolves.toBe('redis');
    expect(local.calls).toBe(0);
    expect(lines).toEqual([]);
    expect(metrics.count('store_error:idempotency')).toBe(0);
  });

  it.each(['local', 'open', 'closed'] as const)('%s: without a shared store every call goes to memory, whatever the policy', async (policy) => {
    const { local, metrics, lines, read } = setup(policy, false);
    await expect(read()).resolves.toBe('memory');
    expect(local.calls).toBe(1);
    expect(lines).toEqual([]);
    expect(metrics.count('store_error:idempotency')).toBe(0);
  });

  it('counts every failed call under its store label, warns once with the context, and says once when the shared store is back', async () => {
    const { shared, metrics, lines, read } = setup('local');
    shared.down = true;
    await Promise.all(Array.from({ length: 5 }, read));
    expect(metrics.count('store_error:idempotency')).toBe(5);
    expect(lines).toEqual([{ level: 'warn', obj: { limiter: 'caller', policy: 'local', reason: 'Connection is closed.' }, msg: 'test store failed' }]);

    shared.down = false;
    await expect(read()).resolves.toBe('redis');
    await read();
    expect(lines.slice(1)).toEqual([{ level: 'info', obj: { limiter: 'caller' }, msg: 'test store is back' }]);

    shared.down = true;
    await read();
    expect(lines.map((line) => line.msg)).toEqual(['test store failed', 'test store is back', 'test store failed']);
  });
});
