import type { Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, OTHER_PROJECT, PROJECT, signToken } from '../support/tokens';

const jobIds = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => `${String(i + offset).padStart(8, '0')}-88ad-43c8-811c-1268453jb101`);

describe('project job budget (PROJECT_JOB_BUDGET)', () => {
  let gateway: TestGateway;
  let simulator: Simulator;
  const token = bearer(signToken({ sub: 'budget', projects: ['*'] }));

  beforeAll(async () => {
    gateway = await startTestGateway({ PROJECT_JOB_BUDGET: '5', PROJECT_JOB_BUDGET_WINDOW_MS: '60000', RATE_LIMIT_MAX: '1000' });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());

  const precheck = (project: string, ids: string[]) =>
    send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: token }, body: { jobs: ids.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' })) } });

  it('charges each request its number of jobs, refuses what would overspend without charging it, and spares other projects', async () => {
    expect((await precheck(PROJECT, jobIds(3))).status).toBe(200);
    simulator.resetStats();
    const refused = await precheck(PROJECT, jobIds(3, 10));
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ error_code: 'GW.2002', status: 429 });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(simulator.stats.drsRequests).toBe(0);
    expect((await precheck(PROJECT, jobIds(2, 20))).status).toBe(200);
    expect((await precheck(PROJECT, jobIds(1, 30))).status).toBe(429);
    expect((await precheck(OTHER_PROJECT, jobIds(5))).status).toBe(200);
  });

  it('does not charge result queries', async () => {
    const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: token }, body: { jobs: [JOB] } });
    expect(res.status).toBe(200);
  });
});
