// Wraps the shared store with the RATE_LIMIT_ON_STORE_ERROR decision: local limiter, open, or closed (503).
import { MemoryStore, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { afterStoreError, type StoreErrorPolicy } from './afterStoreError';

export interface FailoverLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export class FailoverStore implements Store {
  readonly localKeys = false;
  private readonly local = new MemoryStore();
  private degraded = false;

  constructor(
    private readonly shared: Store,
    private readonly policy: StoreErrorPolicy,
    private readonly limiter: string,
    private readonly metrics: MetricsHooks,
    private readonly logger: FailoverLogger,
  ) {}

  get prefix(): string | undefined {
    return this.shared.prefix;
  }

  init(options: Options): void {
    this.shared.init?.(options);
    this.local.init(options);
  }

  /** Redis is tried on every hit (a dead Redis fails at once, no offline queue), so it takes back over as soon as it returns. */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    try {
      const info = await this.shared.increment(key);
      if (this.degraded) {
        this.degraded = false;
        this.logger.info({ limiter: this.limiter }, 'rate-limit store is back; shared limits resume');
      }
      return info;
    } catch (error) {
      this.metrics.storeError('rate-limit');
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn({ limiter: this.limiter, policy: this.policy, reason: (error as Error).message }, 'rate-limit store failed');
      }
      // Open: the request passes uncounted; zero hits keeps the headers honest about that.
      return afterStoreError(this.policy, () => this.local.increment(key), () => ({ totalHits: 0, resetTime: undefined }));
    }
  }

  async decrement(key: string): Promise<void> {
    try {
      await this.shared.decrement(key);
    } catch {
      await this.local.decrement(key);
    }
  }

  async resetKey(key: string): Promise<void> {
    await Promise.allSettled([this.shared.resetKey(key), this.local.resetKey(key)]);
  }

  shutdown(): void {
    this.local.shutdown();
  }
}
