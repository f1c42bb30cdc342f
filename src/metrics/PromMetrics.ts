// Prometheus metrics for one gateway instance (its own registry): the MetricsHooks events plus HTTP and process figures.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsHooks, StoreName, TokenCacheLevel } from './MetricsHooks';

export interface GaugeSources {
  /** 0 closed, 1 half-open, 2 open. */
  circuitState(): number;
  /** 1 up, 0 down; absent when Redis is not configured. */
  redisUp?(): number;
}

const CIRCUIT_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;
export const circuitStateValue = (state: keyof typeof CIRCUIT_STATES): number => CIRCUIT_STATES[state];

export class PromMetrics implements MetricsHooks {
  readonly registry = new Registry();
  private readonly tokenCacheHits = new Counter({ name: 'gateway_token_cache_hits_total', help: 'IAM token cache hits by level', labelNames: ['level'], registers: [this.registry] });
  private readonly iamFetches = new Counter({ name: 'gateway_iam_fetches_total', help: 'IAM token fetches by outcome', labelNames: ['outcome'], registers: [this.registry] });
  private readonly lockWaits = new Counter({ name: 'gateway_iam_lock_waits_total', help: "Waits for another instance's IAM fetch", registers: [this.registry] });
  private readonly rejections = new Counter({ name: 'gateway_rate_limit_rejections_total', help: 'Requests refused by a rate limiter', labelNames: ['limiter'], registers: [this.registry] });
  private readonly storeErrors = new Counter({ name: 'gateway_store_errors_total', help: 'Failed shared-store operations', labelNames: ['store'], registers: [this.registry] });
  private readonly requests = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time from request to response end, by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(sources?: GaugeSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
    if (!sources) return;
    new Gauge({
      name: 'gateway_upstream_circuit_state',
      help: 'DRS circuit breaker: 0 closed, 1 half-open, 2 open',
      registers: [this.registry],
      collect() {
        this.set(sources.circuitState());
      },
    });
    const redisUp = sources.redisUp;
    if (redisUp) {
      new Gauge({
        name: 'gateway_redis_up',
        help: 'Redis connection: 1 ready, 0 not',
        registers: [this.registry],
        collect() {
          this.set(redisUp());
        },
      });
    }
  }

  tokenCacheHit(level: TokenCacheLevel): void {
    this.tokenCacheHits.inc({ level });
  }

  iamFetch(outcome: 'ok' | 'error'): void {
    this.iamFetches.inc({ outcome });
  }

  lockWait(): void {
    this.lockWaits.inc();
  }

  limiterRejection(limiter: string): void {
    this.rejections.inc({ limiter });
  }

  storeError(store: StoreName): void {
    this.storeErrors.inc({ store });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.observe({ route, method, status: String(status) }, seconds);
  }
}
