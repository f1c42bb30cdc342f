// The IAM fetch lock against a real redis-server: an instance that gives up waiting for the holder shares the token it fetched.
import { createSharedTokenFetcher } from '../../src/iam/createSharedTokenFetcher';
import type { IamToken } from '../../src/iam/IamToken';
import { RedisTokenStore } from '../../src/iam/RedisTokenStore';
import { TokenSealer } from '../../src/iam/TokenSealer';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';
import { useEmptyRedis } from './useEmptyRedis';

const KEY = Buffer.alloc(32, 7).toString('base64');
const USER = { domainName: 'acme', userName: 'drs-gateway' };
const PROJECT = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const LOCK_TTL_MS = 1_000;

describe('createSharedTokenFetcher with Redis: the lock-wait timeout', () => {
  const redis = useEmptyRedis();
  const clock = new FakeClock();

  /** One gateway instance's shared level: its own store and fetcher, IAM answering with a token named after it. */
  const instance = (name: string) => {
    const store = new RedisTokenStore(redis.connection.client, new TokenSealer(KEY), clock, USER);
    const iamCalls: string[] = [];
    const fetcher = createSharedTokenFetcher({
      store,
      iam: {
        async fetchToken(projectId): Promise<IamToken> {
          iamCalls.push(projectId);
          return { value: `MII-${name}`, obtainedAt: clock.now(), expiresAt: clock.now() + 24 * 3_600_000 };
        },
      },
      clock,
      refreshMarginMs: 15 * 60_000,
      lockTtlMs: LOCK_TTL_MS,
      // The waiter's polls pass no real time: the holder never fills the cache anyway.
      sleep: async () => undefined,
      metrics: new CountingMetrics(),
      logger: { warn: () => undefined },
    });
    return { store, fetcher, iamCalls };
  };

  it('a waiter whose holder never delivers fetches its own token and stores it, so the next instance reads it from Redis', async () => {
    const waiter = instance('waiter');
    // Another instance took the lock and then went quiet (crashed, or IAM hung for it).
    expect(await waiter.store.acquireLock(PROJECT, 'silent-holder', 60_000)).toBe(true);

    const own = await waiter.fetcher.fetchToken(PROJECT);
    expect(own.value).toBe('MII-waiter');
    expect(waiter.iamCalls).toEqual([PROJECT]);
    expect(await waiter.store.get(PROJECT)).toEqual(own);

    const next = instance('next');
    expect(await next.fetcher.fetchToken(PROJECT)).toEqual({ ...own, sharedCopy: true });
    expect(next.iamCalls).toEqual([]);
  });
});
