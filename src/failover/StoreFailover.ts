// The one RATE_LIMIT_ON_STORE_ERROR decision for every store that can lose Redis: local memory, open, or closed (503).
import { GatewayError } from '../errors/GatewayError';
import type { MetricsHooks, StoreName } from '../metrics/MetricsHooks';

export type StoreErrorPolicy = 'local' | 'open' | 'closed';

const CLOSED_RETRY_AFTER_S = 5;

export interface StoreFailoverLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface StoreFailoverOptions<S> {
  /** The instance's own store: used without Redis, and while Redis fails under `local`. */
  local: S;
  /** The Redis store; absent when no Redis is configured. */
  shared?: S;
  policy: StoreErrorPolicy;
  /** The `store` label of gateway_store_errors_total. */
  store: StoreName;
  /** What the two transition lines say, and what they carry besides the policy and the reason. */
  messages: { failed: string; back: string };
  context?: object;
  metrics: Pick<MetricsHooks, 'storeError'>;
  logger: StoreFailoverLogger;
}

/**
 * Runs each store call on Redis while it answers, and on what the policy says while it fails. Redis is tried on every
 * call (a dead Redis fails at once, no offline queue), so it takes back over as soon as it returns. One warning when it
 * starts failing and one line when it is back, however many calls fail meanwhile; every failed call is counted.
 */
export class StoreFailover<S> {
  private degraded = false;

  constructor(private readonly options: StoreFailoverOptions<S>) {}

  get local(): S {
    return this.options.local;
  }

  get shared(): S | undefined {
    return this.options.shared;
  }

  /** `local` answers from memory, `open` with `whenOpen()` (the request goes ahead without the store), `closed` refuses with 503 GW.5030. */
  async run<T>(work: (store: S) => Promise<T>, whenOpen: () => T): Promise<T> {
    const { shared, local } = this.options;
    if (shared === undefined) return work(local);
    let value: T;
    try {
      value = await work(shared);
    } catch (error) {
      this.failed(error);
      if (this.options.policy === 'local') return work(local);
      if (this.options.policy === 'open') return whenOpen();
      throw new GatewayError('GW.5030', { retryAfterSeconds: CLOSED_RETRY_AFTER_S });
    }
    if (this.degraded) this.recovered();
    return value;
  }

  private failed(error: unknown): void {
    const { metrics, logger, store, policy, messages, context } = this.options;
    metrics.storeError(store);
    if (this.degraded) return;
    this.degraded = true;
    logger.warn({ ...context, policy, reason: (error as Error).message }, messages.failed);
  }

  private recovered(): void {
    this.degraded = false;
    this.options.logger.info({ ...this.options.context }, this.options.messages.back);
  }
}

