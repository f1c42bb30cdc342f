import type { Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, OTHER_PROJECT, PROJECT, signToken, TEST_SECRET } from '../support/tokens';

const admin = bearer(signToken({ sub: 'ops-1', scope: 'gateway:admin' }));
const caller = bearer(signToken({ sub: 'app-1', projects: ['*'] }));
const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };

describe('admin routes', () => {
  let gateway: TestGateway;
  let simulator: Simulator;

  beforeAll(async () => {
    gateway = await startTestGateway({ IAM_PASSWORD: 'sandbox-password', TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, RATE_LIMIT_MAX: '1000' });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());

  const precheck = (project: string) => send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: caller }, body });

  it('refuses callers without a token (401) and without gateway:admin (403)', async () => {
    expect((await send(gateway.url, '/admin/config', { method: 'GET' })).status).toBe(401);
    const res = await send(gateway.url, '/admin/config', { method: 'GET', headers: { Authorization: caller } });
    expect(res.status).toBe(403);
    expect(res.json().error_code).toBe('GW.1004');
  });

  it('GET /admin/config shows the effective configuration with every secret redacted', async () => {
    const res = await send(gateway.url, '/admin/config', { method: 'GET', headers: { Authorization: admin } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const config = res.json<{ iam: { password: string }; jwt: { secret: string }; redis: { tokenCacheKey: string }; rateLimit: { max: number } }>();
    expect(config.iam.password).toBe('[redacted]');
    expect(config.jwt.secret).toBe('[redacted]');
    expect(config.redis.tokenCacheKey).toBe('[redacted]');
    expect(config.rateLimit.max).toBe(1000);
    for (const secret of ['sandbox-password', TEST_SECRET, TEST_TOKEN_CACHE_KEY]) expect(res.text).not.toContain(secret);
  });

  it('POST /admin/iam-tokens/invalidate with a project drops that project token only', async () => {
    await precheck(PROJECT);
    await precheck(OTHER_PROJECT);
    const before = simulator.stats.iamTokenRequests;
    const res = await send(gateway.url, '/admin/iam-tokens/invalidate', { headers: { Authorization: admin }, body: { project_id: PROJECT } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ scope: 'project', project_id: PROJECT });
    await precheck(PROJECT);
    await precheck(OTHER_PROJECT);
    expect(simulator.stats.iamTokenRequests - before).toBe(1);
  });

  it('POST /admin/iam-tokens/invalidate without a body drops every token', async () => {
    await precheck(PROJECT);
    await precheck(OTHER_PROJECT);
    const before = simulator.stats.iamTokenRequests;
    const res = await send(gateway.url, '/admin/iam-tokens/invalidate', { headers: { Authorization: admin } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ scope: 'all', dropped: { memory: 2, shared: 0 } });
    await precheck(PROJECT);
    await precheck(OTHER_PROJECT);
    expect(simulator.stats.iamTokenRequests - before).toBe(2);
  });

  it('validates the invalidation body like any other', async () => {
    const bad = await send(gateway.url, '/admin/iam-tokens/invalidate', { headers: { Authorization: admin }, body: { project_id: 'nope', extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/project_id' }), expect.objectContaining({ pointer: '/extra' })]));
    const form = await send(gateway.url, '/admin/iam-tokens/invalidate', { headers: { Authorization: admin, 'Content-Type': 'text/plain' }, raw: 'all' });
    expect(form.status).toBe(415);
    const wrongMethod = await send(gateway.url, '/admin/iam-tokens/invalidate', { method: 'GET', headers: { Authorization: admin } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('GET /admin/config and URLs', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ JWT_JWKS_URI: 'https://idp.example.com/keys?p=policy-s3cr3t', JWT_ALGORITHMS: 'HS256' });
  });
  afterAll(() => gateway.stop());

  it('shows the JWKS URI without its query values', async () => {
    const res = await send(gateway.url, '/admin/config', { method: 'GET', headers: { Authorization: admin } });
    expect(res.status).toBe(200);
    expect(res.json<{ jwt: { jwksUri: string } }>().jwt.jwksUri).toBe('https://idp.example.com/keys?[redacted]');
    expect(res.text).not.toContain('s3cr3t');
  });
});
