// IAM fault switches: throttling, outage, refused credentials, broken bodies, and short-lived tokens.
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { drs, fakeClock, issueToken, JOB_ID, precheckBody, requestToken } from './simulatorClient';
import type { FakeClock } from '../support/fakeClock';

describe('simulated IAM faults', () => {
  let sim: Simulator;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = fakeClock();
    sim = await startSimulator({ clock });
  });
  afterEach(() => sim.stop());

  it('throttles with 429 IAM.0012 once, then issues again', async () => {
    sim.faults.set({ iam: { kind: 'throttle', times: 1 } });
    const throttled = await requestToken(sim);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(await throttled.json()).toMatchObject({ error_code: 'IAM.0012' });
    expect((await requestToken(sim)).status).toBe(201);
  });

  it('is down with 503 in the current error shape', async () => {
    sim.faults.set({ iam: { kind: 'down' }, iamErrorShape: 'keystone' });
    const response = await requestToken(sim);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { message: 'An unexpected error prevented the server from fulfilling your request.', code: 503, title: 'Service Unavailable' },
    });
  });

  it('refuses correct credentials with 401 IAM.0062 under badCredentials', async () => {
    sim.faults.set({ iam: { kind: 'badCredentials', times: 1 }, iamErrorShape: 'nested' });
    const response = await requestToken(sim);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { code: 'IAM.0062', message: 'Incorrect password.' } });
    expect(sim.issuedTokens()).toBe(0);
  });

  it('answers a status fault with an IAM-shaped default body', async () => {
    sim.faults.set({ iam: { kind: 'status', status: 500 } });
    const response = await requestToken(sim);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error_code: 'IAM.0006' });
  });

  it('answers 201 with a truncated body for malformed', async () => {
    sim.faults.set({ iam: { kind: 'malformed' } });
    const response = await requestToken(sim);
    expect(response.status).toBe(201);
    await expect(response.json()).rejects.toThrow();
  });

  it('answers 201 without token.expires_at for wrongShape', async () => {
    sim.faults.set({ iam: { kind: 'wrongShape' } });
    const response = await requestToken(sim);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ token: { methods: ['password'] } });
  });

  it('answers an HTML page, drops, and omits X-Request-Id on demand', async () => {
    sim.faults.set({ iam: [{ kind: 'html', times: 1 }, { kind: 'drop', times: 1 }, { kind: 'noRequestId', times: 1 }] });
    const html = await requestToken(sim);
    expect(html.status).toBe(502);
    expect(await html.text()).toContain('nginx');
    await expect(requestToken(sim)).rejects.toThrow();
    const plain = await requestToken(sim);
    expect(plain.status).toBe(201);
    expect(plain.headers.has('x-request-id')).toBe(false);
    expect(plain.headers.get('x-subject-token')).toMatch(/^MII/);
  });

  it('delays token issue by latencyMs', async () => {
    sim.faults.set({ iam: { latencyMs: 120, times: 1 } });
    const started = Date.now();
    expect((await requestToken(sim)).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('answers 401 IAM.0001 under unauthorized', async () => {
    sim.faults.set({ iam: { kind: 'unauthorized' } });
    const response = await requestToken(sim);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error_msg: 'The request you have made requires authentication.', error_code: 'IAM.0001' });
  });

  it('issues short-lived tokens while iamTokenTtlMs is set, which DRS then refuses once expired', async () => {
    sim.faults.set({ iamTokenTtlMs: 2000 });
    const token = await issueToken(sim);
    expect((await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID))).status).toBe(200);
    clock.advance(2000);
    const expired = await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error_code: 'APIG.0307' });
    sim.faults.set({ iamTokenTtlMs: null });
    const body = (await (await requestToken(sim)).json()) as { token: { expires_at: string } };
    expect(body.token.expires_at).toBe('2020-01-04T09:05:24.701000Z');
  });
});
