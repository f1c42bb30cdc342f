// Second cache level: instances share IAM tokens through Redis, and one lock-holder fetches while the others wait.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../clock';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import type { RequestTrail } from '../telemetry/RequestTrail';
import type { IamToken, IamTokenFetcher } from './IamToken';
import type { RedisTokenStore } from './RedisTokenStore';
import { refreshAt } from './refreshPolicy';

/** The part of the Redis token level the fetcher uses. */
export type SharedTokenStore = Pick<RedisTokenStore, 'get' | 'put' | 'drop' | 'dropAll' | 'acquireLock' | 'releaseLock'>;

export interface SharedTokenFetcherOptions {
  store: SharedTokenStore;
  iam: IamTokenFetcher;
  clock: Clock;
  refreshMarginMs: number;
  /** How long the lock-holder may take; also how long the others wait for its token (bounded by IAM's timeout). */
  lockTtlMs: number;
  pollMs?: number;
  /** How a waiter pauses between polls; tests pass one that moves their clock instead. */
  sleep?: (ms: number) => Promise<unknown>;
  metrics: MetricsHooks;
  logger: { warn(obj: object, msg: string): void };
}

export interface SharedTokenFetcher extends IamTokenFetcher {
  /** Drops the shared copy if it still holds this token (after DRS refused it). */
  drop(projectId: string, value?: string): Promise<void>;
  dropAll(): Promise<number>;
}

export const createSharedTokenFetcher = (options: SharedTokenFetcherOptions): SharedTokenFetcher => {
  const { store, iam, clock, metrics, logger } = options;
  const pollMs = options.pollMs ?? 25;
  const pause = options.sleep ?? sleep;
  const fresh = (token: IamToken | undefined, obtainedAfter = Number.NEGATIVE_INFINITY): token is IamToken =>
    token !== undefined && clock.now() < refreshAt(token, options.refreshMarginMs) && token.obtainedAt > obtainedAfter;

  const redisFailed = (error: unknown, step: string) => {
    metrics.storeError('token-cache');
    logger.warn({ step, reason: (error as Error).message }, 'Redis token cache unavailable; asking IAM directly');
  };

  /** A failed put costs the other instances a fetch of their own, not this caller its token. */
  const fetchAndPut = async (projectId: string, parent: Pick<RequestTrail, 'trace'> | undefined): Promise<IamToken> => {
    const token = await iam.fetchToken(projectId, parent);
    await store.put(projectId, token).catch((error: unknown) => redisFailed(error, 'put'));
    return token;
  };

  const fetchAndShare = async (projectId: string, owner: string, parent: Pick<RequestTrail, 'trace'> | undefined): Promise<IamToken> => {
    try {
      return await fetchAndPut(projectId, parent);
    } finally {
      await store.releaseLock(projectId, owner).catch((error: unknown) => redisFailed(error, 'release'));
    }
  };

  const waitForHolder = async (projectId: string, obtainedAfter: number | undefined): Promise<IamToken | undefined> => {
    metrics.lockWait();
    // Counted polls rather than a clock deadline, so a frozen test clock cannot make this loop forever.
    for (let waited = 0; waited < options.lockTtlMs; waited += pollMs) {
      await pause(pollMs);
      const token = await store.get(projectId);
      if (fresh(token, obtainedAfter)) return token;
    }
    return undefined;
  };

  return {
    async fetchToken(projectId, parent, fetchOptions = {}) {
      try {
        const shared = await store.get(projectId);
        if (fresh(shared, fetchOptions.obtainedAfter)) {
          metrics.tokenCacheHit('redis');
          return { ...shared, sharedCopy: true };
        }
        const owner = randomUUID();
        if (await store.acquireLock(projectId, owner, options.lockTtlMs)) return await fetchAndShare(projectId, owner, parent);
        const awaited = await waitForHolder(projectId, fetchOptions.obtainedAfter);
        if (awaited) return { ...awaited, sharedCopy: true };
      } catch (error) {
        if (!isRedisError(error)) throw error;
        redisFailed(error, 'read');
        return iam.fetchToken(projectId, parent);
      }
      // No shared token in time (the holder slow or gone): this instance asks IAM itself and shares the token, as the
      // holder would have, so other instances stop asking IAM too.
      return fetchAndPut(projectId, parent);
    },
    drop: (projectId, value) => store.drop(projectId, value),
    dropAll: () => store.dropAll(),
  };
};

/** IAM failures are GatewayErrors and must reach the caller; anything else here came from Redis. */
const isRedisError = (error: unknown): boolean => !(error instanceof Error && error.name === 'GatewayError');
