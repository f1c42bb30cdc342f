import { CircuitBreaker, type CircuitState } from '../../src/upstream/CircuitBreaker';
import { FakeClock } from '../support/fakeClock';

const setup = () => {
  const clock = new FakeClock();
  const states: CircuitState[] = [];
  const breaker = new CircuitBreaker({ clock, failureThreshold: 3, openMs: 10_000, onStateChange: (s) => states.push(s) });
  return { clock, breaker, states };
};

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive faults and refuses with GW.3006 and Retry-After', () => {
    const { clock, breaker } = setup();
    for (let i = 0; i < 3; i += 1) {
      breaker.admit();
      breaker.recordFailure();
    }
    expect(breaker.state).toBe('open');
    clock.advance(2_500);
    expect(() => breaker.admit()).toThrow(expect.objectContaining({ code: 'GW.3006', options: expect.objectContaining({ retryAfterSeconds: 8 }) }));
  });

  it('a success resets the run of faults', () => {
    const { breaker } = setup();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly one probe through after the open period; its success closes the circuit', () => {
    const { clock, breaker, states } = setup();
    for (let i = 0; i < 3; i += 1) breaker.recordFailure();
    clock.advance(10_000);
    expect(() => breaker.admit()).not.toThrow();
    expect(breaker.state).toBe('half-open');
    expect(() => breaker.admit()).toThrow(expect.objectContaining({ code: 'GW.3006' }));
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe opens the circuit again for a full period', () => {
    const { clock, breaker } = setup();
    for (let i = 0; i < 3; i += 1) breaker.recordFailure();
    clock.advance(10_000);
    breaker.admit();
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    clock.advance(9_999);
    expect(() => breaker.admit()).toThrow(expect.objectContaining({ code: 'GW.3006' }));
  });
});
