import type { Simulator } from '../../src/simulator/startSimulator';
import { FakeClock } from '../support/fakeClock';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const path = `/v3/${PROJECT}/jobs/batch-precheck`;
const forged = (sub: string) => signToken({ sub }, {}, 'not-the-gateway-secret-not-the-gateway-secret');

describe('rate limits', () => {
  let gateway: TestGateway;

  afterEach(() => gateway.stop());

  it('returns 429 GW.2001 with Retry-After and draft-8 headers once the caller limit is reached', async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '60000' });
    const token = bearer(signToken({ sub: 'limited' }));
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await send(gateway.url, path, { headers: { Authorization: token }, body }));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    const refused = statuses[2]!;
    expect(refused.json()).toMatchObject({ error_code: 'GW.2001', status: 429 });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit')).toContain('"caller"; r=0');
    expect(refused.headers.get('ratelimit-policy')).toContain('"caller"; q=2; w=60');
  });

  it('answers 429 before any body problem once the limit is reached, although the body is read alongside the limiter', async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '1', RATE_LIMIT_WINDOW_MS: '60000' });
    const token = bearer(signToken({ sub: 'limited-bodies' }));
    expect((await send(gateway.url, path, { headers: { Authorization: token }, raw: '{"jobs":' })).status).toBe(400);
    const refusals = [
      await send(gateway.url, path, { headers: { Authorization: token }, raw: '{"jobs":' }),
      await send(gateway.url, path, { headers: { Authorization: token }, body: { jobs: 'none' } }),
      await send(gateway.url, path, { headers: { Authorization: token, 'Content-Type': 'text/plain' }, raw: 'hello' }),
      await send(gateway.url, path, { headers: { Authorization: token }, raw: JSON.stringify({ jobs: [], pad: 'x'.repeat(20_000) }) }),
    ];
    for (const refused of refusals) expect(refused.json()).toMatchObject({ status: 429, error_code: 'GW.2001' });
    expect((gateway.simulator as Simulator).stats.drsRequests).toBe(0);
  });

  it('floods of invalid tokens claiming a caller do not spend that caller budget', async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '2', IP_RATE_LIMIT_MAX: '1000' });
    for (let i = 0; i < 10; i += 1) expect((await send(gateway.url, path, { headers: { Authorization: bearer(forged('victim')) }, body })).status).toBe(401);
    const token = bearer(signToken({ sub: 'victim' }));
    expect((await send(gateway.url, path, { headers: { Authorization: token }, body })).status).toBe(200);
    expect((await send(gateway.url, path, { headers: { Authorization: token }, body })).status).toBe(200);
  });

  it('counts every request against its IP, authenticated or not, and then refuses that IP before checking tokens', async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '1000', IP_RATE_LIMIT_MAX: '3' });
    const statuses = [];
    for (const token of [forged('x'), forged('y'), signToken(), forged('z'), signToken()]) {
      statuses.push((await send(gateway.url, path, { headers: { Authorization: bearer(token) }, body })).status);
    }
    expect(statuses).toEqual([401, 401, 200, 429, 429]);
    const refused = await send(gateway.url, path, { headers: {}, body });
    expect(refused.status).toBe(429);
    expect(refused.json().error_code).toBe('GW.2001');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it.each([
    { longer: 'ip', env: { IP_RATE_LIMIT_WINDOW_MS: '120000', RATE_LIMIT_WINDOW_MS: '30000' }, atLeast: 110, atMost: 120 },
    { longer: 'caller', env: { IP_RATE_LIMIT_WINDOW_MS: '30000', RATE_LIMIT_WINDOW_MS: '120000' }, atLeast: 110, atMost: 120 },
  ])('when the IP and caller limits refuse the same request, Retry-After is the longer wait (the $longer limit\'s)', async ({ env, atLeast, atMost }) => {
    gateway = await startTestGateway({ IP_RATE_LIMIT_MAX: '2', RATE_LIMIT_MAX: '2', ...env });
    const token = bearer(signToken({ sub: 'both-limits' }));
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await send(gateway.url, path, { headers: { Authorization: token }, body }));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    const refused = statuses[2]!;
    expect(refused.json()).toMatchObject({ error_code: 'GW.2001' });
    // Both limits are spent: each names itself in the RateLimit header.
    expect(refused.headers.get('ratelimit')).toMatch(/"ip"; r=0.*"caller"; r=0/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(atLeast);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(atMost);
  });

  it("blocks an IP refused on an authenticated request for the IP window, not the caller's: Retry-After 120, not 30, and still refused after 31 s", async () => {
    // Starts with the wall clock, which the limiter's own store reads; the gate's clock then lags it by the start-up.
    const clock = new FakeClock(Date.now());
    gateway = await startTestGateway({ IP_RATE_LIMIT_MAX: '2', IP_RATE_LIMIT_WINDOW_MS: '120000', RATE_LIMIT_MAX: '1000', RATE_LIMIT_WINDOW_MS: '30000' }, { clock });
    const token = bearer(signToken({ sub: 'behind-the-nat' }));
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push(await send(gateway.url, path, { headers: { Authorization: token }, body }));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(statuses[2]!.headers.get('retry-after'))).toBeGreaterThan(110);

    // Refused at the gate now, before the token is looked at.
    const gated = await send(gateway.url, path, { headers: { Authorization: bearer(forged('anyone')) }, body });
    expect(gated.status).toBe(429);
    expect(Number(gated.headers.get('retry-after'))).toBeGreaterThan(110);
    expect(Number(gated.headers.get('retry-after'))).toBeLessThanOrEqual(125);

    clock.advance(31_000);
    const later = await send(gateway.url, path, { headers: { Authorization: bearer(forged('anyone')) }, body });
    expect(later.status).toBe(429);
    expect(Number(later.headers.get('retry-after'))).toBeGreaterThan(80);
    expect(Number(later.headers.get('retry-after'))).toBeLessThanOrEqual(94);
  });
});
