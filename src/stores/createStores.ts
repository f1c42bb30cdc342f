// Builds every store the gateway keeps shared state in from the one Redis connection, or memory without one.
import type { Store } from 'express-rate-limit';
import type { Clock } from '../clock';
import { StoreFailover, type StoreErrorPolicy, type StoreFailoverLogger } from '../failover/StoreFailover';
import { RedisTokenStore } from '../iam/RedisTokenStore';
import { TokenSealer } from '../iam/TokenSealer';
import type { IdempotencyStore } from '../idempotency/IdempotencyStore';
import { MemoryIdempotencyStore } from '../idempotency/MemoryIdempotencyStore';
import { RedisIdempotencyStore, type ReplicaAcks } from '../idempotency/RedisIdempotencyStore';
import type { MetricsHooks, StoreName } from '../metrics/MetricsHooks';
import { FailoverProgressShare, MemoryProgressShare, RedisProgressShare, type ProgressShare } from '../progress/ProgressShare';
import { MemoryStreamSlotStore, RedisStreamSlotStore, type StreamSlotStore } from '../progress/StreamSlots';
import { MemoryJobBudgetStore, RedisJobBudgetStore, type JobBudgetStore } from '../rate-limit/JobBudget';
import { RedisRateLimitStore } from '../rate-limit/RedisRateLimitStore';
import { SharedRateLimitStore } from '../rate-limit/SharedRateLimitStore';
import type { RedisClient } from '../redis/RedisClient';

export interface StoresOptions {
  /** Absent: every store lives in this instance's memory. */
  redis?: RedisClient;
  /** Seals IAM tokens in Redis; without it tokens are never written there. */
  tokenCacheKey?: string;
  onStoreError: StoreErrorPolicy;
  /** Replicas that must acknowledge each idempotency claim and record (Redis WAIT); none by default. */
  idempotencyAcks?: ReplicaAcks;
  clock: Clock;
  metrics: Pick<MetricsHooks, 'storeError'>;
  logger: StoreFailoverLogger;
}

export interface Stores {
  /** The limiter's store under `gw:rl:<limiter>:`; undefined without Redis, so express-rate-limit keeps its own memory store. */
  rateLimit(limiter: string): Store | undefined;
  jobBudget: StoreFailover<JobBudgetStore>;
  idempotency: StoreFailover<IdempotencyStore>;
  /** The shared IAM token level of one IAM user; undefined without Redis or without TOKEN_CACHE_KEY. */
  tokens(iamUser: { domainName: string; userName: string }): RedisTokenStore | undefined;
  progress: ProgressShare;
  /** Open progress streams per caller and IP: leases in Redis, with this instance's own count as the fallback. */
  streamSlots: { shared: StreamSlotStore | undefined; local: StreamSlotStore };
}

export const createStores = (options: StoresOptions): Stores => {
  const { redis, clock, metrics, logger, onStoreError: policy } = options;
  const sealer = redis && options.tokenCacheKey ? new TokenSealer(options.tokenCacheKey) : undefined;
  if (redis && !sealer) logger.warn({}, 'TOKEN_CACHE_KEY is not set: IAM tokens are cached per instance only, never in Redis');
  const failover = <S>(local: S, shared: S | undefined, store: StoreName, name: string, resumed: string) =>
    new StoreFailover<S>({ local, shared, policy, store, messages: { failed: `${name} failed`, back: `${name} is back; ${resumed}` }, metrics, logger });
  return {
    rateLimit: (limiter) => (redis ? new SharedRateLimitStore(new RedisRateLimitStore(redis, `gw:rl:${limiter}:`, clock), policy, limiter, metrics, logger) : undefined),
    jobBudget: failover<JobBudgetStore>(new MemoryJobBudgetStore(clock), redis && new RedisJobBudgetStore(redis), 'rate-limit', 'job budget store', 'shared budgets resume'),
    idempotency: failover<IdempotencyStore>(new MemoryIdempotencyStore(clock), redis && new RedisIdempotencyStore(redis, options.idempotencyAcks), 'idempotency', 'idempotency store', 'keys hold across instances again'),
    tokens: (iamUser) => (redis && sealer ? new RedisTokenStore(redis, sealer, clock, iamUser) : undefined),
    streamSlots: { shared: redis && new RedisStreamSlotStore(redis), local: new MemoryStreamSlotStore() },
    progress: redis ? new FailoverProgressShare(new RedisProgressShare(redis), new MemoryProgressShare(clock), () => metrics.storeError('progress')) : new MemoryProgressShare(clock),
  };
};
