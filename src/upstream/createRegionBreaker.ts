// One region's DRS circuit breaker, on cockatiel: 5 consecutive upstream faults open it, one probe after 10 s.
import { CircuitState as CockatielState, circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import type { Clock } from '../clock';
import { GatewayError } from '../errors/GatewayError';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface RegionBreakerOptions {
  /** Times the open period, for refusals, their Retry-After and the state reported (cockatiel's own Date.now() is not used). */
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
  /**
   * The state as of now: an open circuit whose period has passed reads half-open (the next request is its probe),
   * though cockatiel itself only moves on when that request arrives.
   */
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

const refusal = (msLeft: number): GatewayError =>
  new GatewayError('GW.3006', { retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)), cause: new Error('DRS circuit open') });

export const createRegionBreaker = (options: RegionBreakerOptions): RegionBreaker => {
  // cockatiel would time the open period with Date.now(); it gets none, and the injected clock holds the circuit open
  // here instead, so what is reported and what is refused always agree.
  const policy = circuitBreaker(handleAll.orWhenResult((result) => (result as FaultMarked).upstreamFault), {
    halfOpenAfter: 0,
    breaker: new ConsecutiveBreaker(options.failureThreshold),
  });
  let openedAt = 0;
  const msLeftOpen = (): number => openedAt + options.openMs - options.clock.now();
  const subscriptions = [
    policy.onBreak(() => (openedAt = options.clock.now())),
    policy.onStateChange((state) => options.onStateChange?.(STATES[state])),
  ];
  return {
    get state() {
      return policy.state === CockatielState.Open && msLeftOpen() <= 0 ? 'half-open' : STATES[policy.state];
    },
    run(exchange) {
      if (policy.state === CockatielState.Open) {
        const msLeft = msLeftOpen();
        if (msLeft > 0) return Promise.reject(refusal(msLeft));
      }
      return policy.execute(exchange);
    },
    dispose() {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
};
