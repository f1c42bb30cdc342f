// Sends every metrics event to several sinks (the Prometheus exporter and a test's own counters).
import type { MetricsHooks } from './MetricsHooks';

export const fanOut = (...sinks: MetricsHooks[]): MetricsHooks => ({
  tokenCacheHit: (level) => sinks.forEach((s) => s.tokenCacheHit(level)),
  iamFetch: (outcome, region, seconds) => sinks.forEach((s) => s.iamFetch(outcome, region, seconds)),
  iamRefreshFailure: (region) => sinks.forEach((s) => s.iamRefreshFailure(region)),
  lockWait: () => sinks.forEach((s) => s.lockWait()),
  limiterRejection: (limiter) => sinks.forEach((s) => s.limiterRejection(limiter)),
  storeError: (store) => sinks.forEach((s) => s.storeError(store)),
  upstreamRequest: (region, operation, statusClass, seconds) => sinks.forEach((s) => s.upstreamRequest(region, operation, statusClass, seconds)),
  progressPoll: (outcome) => sinks.forEach((s) => s.progressPoll(outcome)),
});
