import type { Simulator } from '../../src/simulator/startSimulator';
import { send, sendVerbatim } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

const caller = bearer(signToken({ sub: 'spellings', projects: ['*'] }));
const admin = bearer(signToken({ sub: 'ops-1', scope: 'gateway:admin' }));
const precheckBody = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const resultBody = { jobs: [JOB] };

describe('one spelling per route', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '10000', IP_RATE_LIMIT_MAX: '10000' });
  });
  afterAll(() => gateway.stop());

  it('answers the canonical spellings', async () => {
    expect((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: caller }, body: precheckBody })).status).toBe(200);
    expect((await send(gateway.url, '/admin/config', { method: 'GET', headers: { Authorization: admin } })).status).toBe(200);
    expect((await send(gateway.url, '/healthz', { method: 'GET' })).status).toBe(200);
  });

  it.each([
    `/V3/${PROJECT}/jobs/batch-precheck`,
    `/v3/${PROJECT}/JOBS/batch-precheck`,
    `/v3/${PROJECT}/jobs/Batch-Precheck`,
    `/v3/${PROJECT}/jobs/batch-precheck/`,
    `/v3/${PROJECT}//jobs/batch-precheck`,
    `//v3/${PROJECT}/jobs/batch-precheck`,
    `/v3//${PROJECT}/jobs/batch-precheck`,
  ])('404s POST %s, with no-store, before any upstream call', async (path) => {
    const simulator = gateway.simulator as Simulator;
    simulator.resetStats();
    const res = await send(gateway.url, path, { headers: { Authorization: caller }, body: precheckBody });
    expect(res.status).toBe(404);
    expect(res.json().error_code).toBe('GW.0404');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(simulator.stats.drsRequests).toBe(0);
  });

  it.each([`/V3/${PROJECT}/jobs/batch-precheck-result`, `/v3/${PROJECT}/jobs/batch-precheck-result/`])('404s the result route spelt %s', async (path) => {
    const res = await send(gateway.url, path, { headers: { Authorization: caller }, body: resultBody });
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([`/V3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, `/v3/${PROJECT}/jobs/precheck-progress/?jobs=${JOB}`])('404s the progress stream spelt %s', async (path) => {
    const res = await send(gateway.url, path, { method: 'GET', headers: { Authorization: caller } });
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each(['/ADMIN/config', '/Admin/Config', '/admin/config/', '//admin/config', '/admin//config', '/%61dmin/config', '/./admin/config', '/admin/./config'])(
    'never shows the configuration at %s, and marks the answer no-store',
    async (path) => {
      const res = await sendVerbatim(gateway.url, path, 'GET', { Authorization: admin });
      expect({ status: res.status, cacheControl: res.headers['cache-control'] }).toEqual({ status: 404, cacheControl: 'no-store' });
    },
  );

  it('404s the invalidation route spelt in capitals, so no token is dropped', async () => {
    const res = await send(gateway.url, '/ADMIN/iam-tokens/invalidate', { headers: { Authorization: admin } });
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each(['/HEALTHZ', '/healthz/', '/Readyz', '/METRICS', '/metrics/', '/OPENAPI.JSON', '/Docs', '/errors/'])('404s the public page spelt %s', async (path) => {
    expect((await send(gateway.url, path, { method: 'GET' })).status).toBe(404);
  });
});
