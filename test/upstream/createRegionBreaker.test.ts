import { createRegionBreaker, type CircuitState } from '../../src/upstream/createRegionBreaker';
import { FakeClock } from '../support/fakeClock';

// Only the injected clock moves: the open period must not depend on Date.now(), which cockatiel would read.
const setup = () => {
  const clock = new FakeClock();
  const advance = (ms: number) => clock.advance(ms);
  const states: CircuitState[] = [];
  const breaker = createRegionBreaker({ clock, failureThreshold: 3, openMs: 10_000, onStateChange: (s) => states.push(s) });
  const fault = () => breaker.run(async () => ({ upstreamFault: true }));
  const fine = () => breaker.run(async () => ({ upstreamFault: false }));
  const thrown = () => breaker.run(async (): Promise<{ upstreamFault: boolean }> => { throw new Error('ECONNREFUSED'); }).catch((e: unknown) => e);
  return { advance, breaker, states, fault, fine, thrown };
};

describe('createRegionBreaker (cockatiel)', () => {
  it('opens after the threshold of consecutive faults and refuses with GW.3006 and Retry-After without running the exchange', async () => {
    const { advance, breaker, fault, thrown } = setup();
    await fault();
    await thrown();
    await fault();
    expect(breaker.state).toBe('open');
    advance(2_500);
    let ran = false;
    const refusal = await breaker.run(async () => { ran = true; return { upstreamFault: false }; }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: 'GW.3006', options: expect.objectContaining({ retryAfterSeconds: 8 }) });
    expect(ran).toBe(false);
  });

  it('an answer that is not a fault resets the run of faults', async () => {
    const { breaker, fault, fine } = setup();
    await fault();
    await fault();
    await fine();
    await fault();
    await fault();
    expect(breaker.state).toBe('closed');
  });

  it('lets one probe through after the open period: a good probe closes it, a bad one re-opens it', async () => {
    const { advance, breaker, fault, fine, states } = setup();
    for (let i = 0; i < 3; i += 1) await fault();
    advance(10_000);
    await fault();
    expect(breaker.state).toBe('open');
    advance(10_000);
    await fine();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('reads half-open once the open period has passed with no request, and its first request is the probe', async () => {
    const { advance, breaker, fault, states } = setup();
    for (let i = 0; i < 3; i += 1) await fault();
    advance(9_999);
    expect(breaker.state).toBe('open');
    advance(1);
    expect(breaker.state).toBe('half-open');
    expect(states).toEqual(['open']);
    let ran = false;
    await breaker.run(async () => { ran = true; return { upstreamFault: false }; });
    expect(ran).toBe(true);
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('passes an exchange error through unchanged while closed', async () => {
    const { thrown } = setup();
    expect(await thrown()).toMatchObject({ message: 'ECONNREFUSED' });
  });
});
