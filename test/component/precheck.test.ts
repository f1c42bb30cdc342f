import { generateKeyPairSync } from 'node:crypto';
import type { Simulator } from '../../src/simulator/startSimulator';
import { PRECHECK, RESULT } from '../support/drsPaths';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, JOB_2, signToken } from '../support/tokens';

const precheckBody = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };

describe('pre-check routes through the gateway to the simulator (HS256)', () => {
  let gateway: TestGateway;
  let simulator: Simulator;

  beforeAll(async () => {
    gateway = await startTestGateway();
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());
  beforeEach(() => simulator.resetStats());

  it('starts a pre-check and returns DRS results and count', async () => {
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer() }, body: precheckBody });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json()).toEqual({ results: [{ id: JOB, status: 'success', precheck_id: JOB }], count: 1 });
  });

  it('returns pre-check progress for the results route', async () => {
    await send(gateway.url, PRECHECK, { headers: { Authorization: bearer() }, body: { jobs: [{ job_id: JOB_2, precheck_mode: 'forStartJob' }] } });
    const res = await send(gateway.url, RESULT, { headers: { Authorization: bearer() }, body: { jobs: [JOB_2] } });
    expect(res.status).toBe(200);
    const body = res.json<{ results: Array<{ precheck_id: string; process: string }>; count: number }>();
    expect(body.count).toBe(1);
    expect(body.results[0]).toMatchObject({ precheck_id: JOB_2, process: expect.stringMatching(/^\d{1,3}%$/) });
  });

  it('keeps per-job failures with their DRS error_code and error_msg', async () => {
    simulator.jobs.set({ id: 'f00dbeef-0000-4000-8000-0000000jb999', status: 'INCRE_TRANSFER_STARTED', outcome: 'pass' });
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer() }, body: { jobs: [{ job_id: 'f00dbeef-0000-4000-8000-0000000jb999', precheck_mode: 'forStartJob' }] } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      results: [{ id: 'f00dbeef-0000-4000-8000-0000000jb999', status: 'failed', error_code: 'DRS.M00304', error_msg: expect.any(String) }],
      count: 1,
    });
  });

  it('sends exactly the contract headers upstream, and never the caller credentials, cookies or X-Forwarded-*', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await send(gateway.url, PRECHECK, {
      headers: {
        Authorization: bearer(),
        Cookie: 'session=abc',
        'X-Forwarded-For': '203.0.113.9',
        'X-Forwarded-Host': 'evil.example.com',
        'X-Request-Id': 'caller-req-1',
        'X-Language': 'zh-cn',
        'X-Custom': 'nope',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: precheckBody,
    });
    const [recorded] = simulator.stats.requests;
    expect(recorded).toBeDefined();
    const headers = recorded!.headers;
    expect(Object.keys(headers).sort()).toEqual(['connection', 'content-length', 'content-type', 'host', 'traceparent', 'user-agent', 'x-auth-token', 'x-language', 'x-request-id']);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-auth-token']).toMatch(/^MII/);
    expect(headers['x-language']).toBe('zh-cn');
    expect(headers['x-request-id']).toBe('caller-req-1');
    expect(headers['user-agent']).toMatch(/^drs-precheck-gateway\//);
    expect(headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(headers.traceparent).not.toContain('00f067aa0ba902b7');
    expect(recorded!.path).toBe(PRECHECK);
    expect(recorded!.body).toEqual(precheckBody);
  });

  it('sends en-us and no traceparent when the caller sent none', async () => {
    await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(), traceparent: 'not-a-traceparent' }, body: precheckBody });
    const headers = simulator.stats.requests[0]!.headers;
    expect(headers['x-language']).toBe('en-us');
    expect(headers.traceparent).toBeUndefined();
  });

  it('answers with X-Request-Id (the caller one when safe), no-store, security headers, rate-limit headers and X-Upstream-Request-Id', async () => {
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(), 'X-Request-Id': 'abc.DEF_123-x' }, body: precheckBody });
    expect(res.headers.get('x-request-id')).toBe('abc.DEF_123-x');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('ratelimit-policy')).toMatch(/"caller"; q=60; w=60/);
    expect(res.headers.get('ratelimit')).toMatch(/"caller"; r=\d+; t=\d+/);
    expect(res.headers.get('x-upstream-request-id')).toMatch(/^[0-9a-f]{32}$/);

    const unsafe = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(), 'X-Request-Id': 'bad id with spaces' }, body: precheckBody });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('makes one IAM call for 50 concurrent cold requests for a new project', async () => {
    const project = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    const token = signToken({ projects: [project] });
    const before = simulator.stats.iamTokenRequests;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: bearer(token), 'X-Forwarded-For': `10.0.0.${i}` }, body: precheckBody }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(simulator.stats.iamTokenRequests - before).toBe(1);
  });

  it('reuses the cached IAM token across requests', async () => {
    await send(gateway.url, PRECHECK, { headers: { Authorization: bearer() }, body: precheckBody });
    const before = simulator.stats.iamTokenRequests;
    for (let i = 0; i < 5; i += 1) await send(gateway.url, RESULT, { headers: { Authorization: bearer() }, body: { jobs: [JOB] } });
    expect(simulator.stats.iamTokenRequests).toBe(before);
  });
});

describe('pre-check with RS256 tokens verified by JWT_PUBLIC_KEY', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ JWT_SECRET: '', JWT_PUBLIC_KEY: pem, JWT_ISSUER: 'https://idp.example.com', JWT_AUDIENCE: 'drs-gateway' });
  });
  afterAll(() => gateway.stop());

  const rs256 = (claims = {}, options = {}) =>
    signToken(claims, { algorithm: 'RS256', issuer: 'https://idp.example.com', audience: 'drs-gateway', ...options }, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

  it('accepts an RS256 token with the configured issuer and audience', async () => {
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(rs256()) }, body: precheckBody });
    expect(res.status).toBe(200);
  });

  it('rejects an HS256 token signed with the public key as secret (algorithm confusion)', async () => {
    const forged = signToken({}, { algorithm: 'HS256', issuer: 'https://idp.example.com', audience: 'drs-gateway' }, pem);
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(forged) }, body: precheckBody });
    expect(res.status).toBe(401);
    expect(res.json().error_code).toBe('GW.1002');
  });

  it.each([
    ['wrong issuer', { issuer: 'https://other.example.com' }],
    ['wrong audience', { audience: 'someone-else' }],
  ])('rejects a token with the %s', async (_name, options) => {
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(rs256({}, options)) }, body: precheckBody });
    expect(res.status).toBe(401);
    expect(res.json().error_code).toBe('GW.1002');
  });
});
