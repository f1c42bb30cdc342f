import { createSharedTokenFetcher, type SharedTokenStore } from '../../src/iam/createSharedTokenFetcher';
import type { IamToken, IamTokenFetcher } from '../../src/iam/IamToken';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';

const HOUR = 3_600_000;
const LOCK_TTL_MS = 6_000;
const POLL_MS = 25;
const MARGIN_MS = 15 * 60_000;

/** A Redis token level whose lock is held by another instance; `filled` decides what that holder leaves in the cache. */
class HeldLockStore implements SharedTokenStore {
  reads = 0;
  filled: (read: number) => IamToken | undefined = () => undefined;
  failReads = false;
  readonly puts: Array<[string, IamToken]> = [];

  async get(): Promise<IamToken | undefined> {
    this.reads += 1;
    if (this.failReads) throw new Error('Command timed out');
    return this.filled(this.reads);
  }
  async put(projectId: string, token: IamToken): Promise<void> {
    this.puts.push([projectId, token]);
  }
  async acquireLock(): Promise<boolean> {
    return false;
  }
  async releaseLock(): Promise<void> {}
  async drop(): Promise<void> {}
  async dropAll(): Promise<number> {
    return 0;
  }
}

class CountingIam implements IamTokenFetcher {
  calledAt: number[] = [];
  constructor(private readonly clock: FakeClock) {}
  async fetchToken(projectId: string): Promise<IamToken> {
    this.calledAt.push(this.clock.now());
    return { value: `MII-own-${projectId}`, obtainedAt: this.clock.now(), expiresAt: this.clock.now() + 24 * HOUR };
  }
}

const setup = () => {
  const clock = new FakeClock();
  const store = new HeldLockStore();
  const iam = new CountingIam(clock);
  const metrics = new CountingMetrics();
  const warnings: string[] = [];
  let sleeps = 0;
  const fetcher = createSharedTokenFetcher({
    store,
    iam,
    clock,
    refreshMarginMs: MARGIN_MS,
    lockTtlMs: LOCK_TTL_MS,
    pollMs: POLL_MS,
    // Waiting moves the test clock, so the whole lock TTL passes without real time.
    sleep: async (ms) => {
      sleeps += 1;
      clock.advance(ms);
    },
    metrics,
    logger: { warn: (_obj, msg) => warnings.push(msg) },
  });
  return { clock, store, iam, metrics, warnings, fetcher, sleeps: () => sleeps };
};

describe('createSharedTokenFetcher: waiting for another instance that holds the IAM fetch lock', () => {
  it('fetches from IAM itself once the lock TTL has passed without a token in the cache', async () => {
    const { clock, store, iam, metrics, fetcher, sleeps } = setup();
    const started = clock.now();
    await expect(fetcher.fetchToken('p1')).resolves.toMatchObject({ value: 'MII-own-p1' });
    expect(iam.calledAt).toEqual([started + LOCK_TTL_MS]);
    expect(sleeps()).toBe(LOCK_TTL_MS / POLL_MS);
    expect(store.reads).toBe(1 + LOCK_TTL_MS / POLL_MS);
    expect(metrics.count('lock_wait')).toBe(1);
    expect(metrics.count('token_cache_hit:redis')).toBe(0);
  });

  it('stores the token it fetched itself after giving up waiting, for the other instances', async () => {
    const { store, fetcher } = setup();
    const token = await fetcher.fetchToken('p1');
    expect(store.puts).toEqual([['p1', token]]);
  });

  it("takes the holder's token as soon as it appears, without asking IAM", async () => {
    const { clock, store, iam, fetcher } = setup();
    const shared: IamToken = { value: 'MII-holder', obtainedAt: clock.now(), expiresAt: clock.now() + 24 * HOUR };
    store.filled = (read) => (read > 10 ? shared : undefined);
    await expect(fetcher.fetchToken('p1')).resolves.toEqual({ ...shared, sharedCopy: true });
    expect(iam.calledAt).toEqual([]);
    expect(store.reads).toBe(11);
  });

  it('does not take a token the holder left that is already due for refresh by the injected clock; fetches itself after the TTL', async () => {
    const { clock, store, iam, fetcher } = setup();
    const stale: IamToken = { value: 'MII-stale', obtainedAt: clock.now() - 23 * HOUR, expiresAt: clock.now() + MARGIN_MS - 1 };
    store.filled = () => stale;
    await expect(fetcher.fetchToken('p1')).resolves.toMatchObject({ value: 'MII-own-p1' });
    expect(iam.calledAt).toHaveLength(1);
  });

  it('after DRS refused a token, passes over a shared token obtained before the refusal (IAM revoked it too) and asks IAM', async () => {
    const { clock, store, iam, fetcher } = setup();
    const before: IamToken = { value: 'MII-revoked-too', obtainedAt: clock.now() - 60_000, expiresAt: clock.now() + 24 * HOUR };
    store.filled = () => before;
    await expect(fetcher.fetchToken('p1', undefined, { obtainedAfter: clock.now() })).resolves.toMatchObject({ value: 'MII-own-p1' });
    expect(iam.calledAt).toHaveLength(1);
  });

  it('after DRS refused a token, takes a shared token obtained since (another instance already refreshed)', async () => {
    const { clock, store, iam, fetcher } = setup();
    const refusedAt = clock.now();
    const since: IamToken = { value: 'MII-new', obtainedAt: refusedAt + 1, expiresAt: refusedAt + 24 * HOUR };
    store.filled = () => since;
    await expect(fetcher.fetchToken('p1', undefined, { obtainedAfter: refusedAt })).resolves.toEqual({ ...since, sharedCopy: true });
    expect(iam.calledAt).toEqual([]);
  });

  it('asks IAM directly, once, when Redis fails while it waits', async () => {
    const { store, iam, metrics, warnings, fetcher } = setup();
    store.filled = (read) => {
      if (read === 3) store.failReads = true;
      return undefined;
    };
    await expect(fetcher.fetchToken('p1')).resolves.toMatchObject({ value: 'MII-own-p1' });
    expect(iam.calledAt).toHaveLength(1);
    expect(store.reads).toBe(4);
    expect(store.puts).toEqual([]);
    expect(metrics.count('store_error:token-cache')).toBe(1);
    expect(warnings).toEqual(['Redis token cache unavailable; asking IAM directly']);
  });
});
