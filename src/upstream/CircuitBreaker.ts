// Per-endpoint circuit breaker: after a run of upstream faults, refuse at once until one probe succeeds.
import type { Clock } from '../clock';
import { GatewayError } from '../errors/GatewayError';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  clock: Clock;
  /** Consecutive faults (5xx, timeouts, connection errors) that open the circuit. */
  failureThreshold: number;
  /** How long it stays open before one probe is let through. */
  openMs: number;
  onStateChange?: (state: CircuitState) => void;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private current: CircuitState = 'closed';

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): CircuitState {
    return this.current;
  }

  /** Throws GW.3006 when the circuit is open; otherwise admits the request (as the probe when half-open). */
  admit(): void {
    if (this.current === 'closed') return;
    const now = this.options.clock.now();
    const reopensAt = this.openedAt + this.options.openMs;
    if (this.current === 'open' && now >= reopensAt) this.transition('half-open');
    if (this.current === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return;
    }
    throw new GatewayError('GW.3006', { retryAfterSeconds: Math.max(1, Math.ceil((reopensAt - now) / 1000)) });
  }

  /** Any answer that is not an upstream fault proves DRS is alive, a 4xx included. */
  recordSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    if (this.current !== 'closed') this.transition('closed');
  }

  recordFailure(): void {
    this.failures += 1;
    this.probeInFlight = false;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.options.clock.now();
      this.transition('open');
    }
  }

  private transition(state: CircuitState): void {
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
