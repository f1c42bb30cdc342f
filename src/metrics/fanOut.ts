// Sends every metrics event to several sinks (the Prometheus exporter and a test's own counters).
import type { MetricsHooks } from './MetricsHooks';

export const fanOut = (...sinks: MetricsHooks[]): MetricsHooks => ({
  tokenCacheHit: (level) => sinks.forEach((s) => s.tokenCacheHit(level)),
  iamFetch: (outcome) => sinks.forEach((s) => s.iamFetch(outcome)),
  lockWait: () => sinks.forEach((s) => s.lockWait()),
  limiterRejection: (limiter) => sinks.forEach((s) => s.limiterRejection(limiter)),
  storeError: (store) => sinks.forEach((s) => s.storeError(store)),
});
