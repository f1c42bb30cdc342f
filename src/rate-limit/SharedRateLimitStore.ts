// A limiter's express-rate-limit Store shared through Redis, with its StoreFailover: local limiter, open, or closed (503).
import { MemoryStore, type ClientRateLimitInfo, type Options, type Store } from 'express-rate-limit';
import { StoreFailover, type StoreErrorPolicy, type StoreFailoverLogger } from '../failover/StoreFailover';
import type { MetricsHooks } from '../metrics/MetricsHooks';

/** Open: the request passes uncounted; zero hits keeps the headers honest about that. */
const UNCOUNTED = (): ClientRateLimitInfo => ({ totalHits: 0, resetTime: undefined });

export class SharedRateLimitStore implements Store {
  readonly localKeys = false;
  private readonly local = new MemoryStore();
  private readonly failover: StoreFailover<Store>;

  constructor(
    private readonly shared: Store,
    policy: StoreErrorPolicy,
    limiter: string,
    metrics: Pick<MetricsHooks, 'storeError'>,
    logger: StoreFailoverLogger,
  ) {
    this.failover = new StoreFailover<Store>({
      local: this.local,
      shared,
      policy,
      store: 'rate-limit',
      messages: { failed: 'rate-limit store failed', back: 'rate-limit store is back; shared limits resume' },
      context: { limiter },
      metrics,
      logger,
    });
  }

  get prefix(): string | undefined {
    return this.shared.prefix;
  }

  init(options: Options): void {
    this.shared.init?.(options);
    this.local.init(options);
  }

  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.failover.run(async (store) => store.increment(key), UNCOUNTED);
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
