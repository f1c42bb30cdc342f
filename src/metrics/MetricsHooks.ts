// The events the gateway reports for metrics; the /metrics exporter and the tests both implement it.
import type { DrsRouteName } from '../drs/drsRouteTable';

export type TokenCacheLevel = 'memory' | 'redis';
export type StoreName = 'rate-limit' | 'token-cache' | 'idempotency' | 'progress';
/** What a DRS call was for: a route of the table (a caller's call), or the gateway's own poll behind progress streams. */
export type UpstreamOperation = DrsRouteName | 'progress-poll';
/** A DRS answer's status class, or `error` when none came (refused, reset, timed out, too large). */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'error'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

export interface MetricsHooks {
  tokenCacheHit(level: TokenCacheLevel): void;
  /** One IAM token request from this instance, with the region whose IAM answered and how long it took. */
  iamFetch(outcome: 'ok' | 'error', region: string, seconds: number): void;
  /** A background refresh failed while the cached token was still being served. */
  iamRefreshFailure(region: string): void;
  /** An instance waited for another instance's IAM fetch instead of fetching itself. */
  lockWait(): void;
  limiterRejection(limiter: string): void;
  storeError(store: StoreName): void;
  /** One HTTP exchange with DRS (a retry on a fresh socket is part of it). */
  upstreamRequest(region: string, operation: UpstreamOperation, statusClass: StatusClass, seconds: number): void;
  /** One DRS call behind the progress streams, answered (`ok`) or failed (`error`, before any retry). */
  progressPoll(outcome: 'ok' | 'error'): void;
}

export const statusClassOf = (status: number | undefined): StatusClass =>
  status === undefined || status < 200 || status >= 600 ? 'error' : (`${Math.floor(status / 100)}xx` as StatusClass);
