// One region's DRS circuit breaker, on cockatiel: 5 consecutive upstream faults open it, one probe after 10 s.
import { BrokenCircuitError, CircuitState as CockatielState, circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import type { Clock } from '../clock';
import { GatewayError } from '../errors/GatewayError';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface RegionBreakerOptions {
  /** Only for the Retry-After a refusal carries: cockatiel reads Date.now() itself (see docs/operations.md, "Circuit breaker"). */
  clock: Clock;
  /** Consecutive faults (5xx, timeouts, connection errors, invalid 2xx bodies) that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before one probe is let through. */
  openMs: number;
  onStateChange?: (state: CircuitState) => void;
}

export interface FaultMarked {
  upstreamFault: boolean;
}

export interface RegionBreaker {
  readonly state: CircuitState;
  /**
   * Runs one DRS exchange: a thrown error or a result marked `upstreamFault` counts as a fault, anything else (a 4xx
   * included: DRS is alive) ends the run. While open, refuses at once with GW.3006 and Retry-After.
   */
  run<T extends FaultMarked>(exchange: () => Promise<T>): Promise<T>;
  dispose(): void;
}

const STATES: Record<CockatielState, CircuitState> = {
  [CockatielState.Closed]: 'closed',
  [CockatielState.HalfOpen]: 'half-open',
  [CockatielState.Open]: 'open',
  [CockatielState.Isolated]: 'open',
};

export const createRegionBreaker = (options: RegionBreakerOptions): RegionBreaker => {
  const policy = circuitBreaker(handleAll.orWhenResult((result) => (result as FaultMarked).upstreamFault), {
    halfOpenAfter: options.openMs,
    breaker: new ConsecutiveBreaker(options.failureThreshold),
  });
  let openedAt = 0;
  const subscriptions = [
    policy.onBreak(() => (openedAt = options.clock.now())),
    policy.onStateChange((state) => options.onStateChange?.(STATES[state])),
  ];
  return {
    get state() {
      return STATES[policy.state];
    },
    async run(exchange) {
      try {
        return await policy.execute(exchange);
      } catch (error) {
        if (!(error instanceof BrokenCircuitError)) throw error;
        const retryAfterSeconds = Math.max(1, Math.ceil((openedAt + options.openMs - options.clock.now()) / 1000));
        throw new GatewayError('GW.3006', { retryAfterSeconds, cause: new Error('DRS circuit open') });
      }
    },
    dispose() {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
};
