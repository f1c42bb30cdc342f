// In-memory counters behind MetricsHooks: what the gateway has done since start, by event and label.
import type { MetricsHooks, StatusClass, StoreName, TokenCacheLevel, UpstreamOperation } from '../../src/metrics/MetricsHooks';

export class CountingMetrics implements MetricsHooks {
  private readonly counts = new Map<string, number>();

  tokenCacheHit(level: TokenCacheLevel): void {
    this.bump(`token_cache_hit:${level}`);
  }

  iamFetch(outcome: 'ok' | 'error', region: string): void {
    this.bump(`iam_fetch:${outcome}`);
    this.bump(`iam_fetch:${outcome}:${region}`);
  }

  iamRefreshFailure(region: string): void {
    this.bump(`iam_refresh_failure:${region}`);
  }

  upstreamRequest(region: string, operation: UpstreamOperation, statusClass: StatusClass): void {
    this.bump(`upstream:${region}:${operation}:${statusClass}`);
  }

  progressPoll(outcome: 'ok' | 'error'): void {
    this.bump(`progress_poll:${outcome}`);
  }

  lockWait(): void {
    this.bump('lock_wait');
  }

  limiterRejection(limiter: string): void {
    this.bump(`limiter_rejection:${limiter}`);
  }

  storeError(store: StoreName): void {
    this.bump(`store_error:${store}`);
  }

  /** e.g. count('token_cache_hit:redis') */
  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  private bump(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
}
