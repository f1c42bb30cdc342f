// The events the gateway reports for metrics; the /metrics exporter and the tests both implement it.
export type TokenCacheLevel = 'memory' | 'redis';
export type StoreName = 'rate-limit' | 'token-cache' | 'idempotency' | 'progress';

export interface MetricsHooks {
  tokenCacheHit(level: TokenCacheLevel): void;
  iamFetch(outcome: 'ok' | 'error'): void;
  /** An instance waited for another instance's IAM fetch instead of fetching itself. */
  lockWait(): void;
  limiterRejection(limiter: string): void;
  storeError(store: StoreName): void;
}
