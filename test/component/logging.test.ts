import { createLogger } from '../../src/logger';
import type { Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

describe('logs', () => {
  const { sink, lines } = logLines();
  let gateway: TestGateway;
  let simulator: Simulator;
  const token = signToken({ sub: 'log-caller', projects: ['*'] });

  beforeAll(async () => {
    gateway = await startTestGateway({}, { logger: createLogger('debug', sink) });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());

  it('writes one access line per request with id, method, path, status, time and caller', async () => {
    const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer(token), 'X-Request-Id': 'log-test-1' }, body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] } });
    expect(res.status).toBe(200);
    const access = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.msg === 'request completed' && l.req?.id === 'log-test-1'); // eslint-disable-line @typescript-eslint/no-explicit-any -- log lines are free-form JSON
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ level: 30, req: { method: 'POST', url: `/v3/${PROJECT}/jobs/batch-precheck` }, res: { statusCode: 200 }, caller: 'log-caller' });
    expect(typeof access[0]!.responseTime).toBe('number');
  });

  it('never writes the JWT, the IAM token or the IAM password, whatever fails', async () => {
    const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
    const call = (project = PROJECT) => send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: bearer(token) }, body });
    await call();
    for (const fault of [{ kind: 'status', status: 500 }, { kind: 'drop' }, { kind: 'unauthorized', times: 2 }, { kind: 'html' }] as const) {
      simulator.faults.set({ drs: { ...fault, times: 'times' in fault ? fault.times : 1 } });
      await call();
    }
    simulator.faults.set({ iam: { kind: 'badCredentials', times: 1 } });
    await call('0123456789abcdef0123456789abcdef');
    simulator.faults.set({ iam: { kind: 'down', times: 1 } });
    await call('fedcba9876543210fedcba9876543210');
    await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: `Bearer ${token}x` }, body });
    const iamTokens = simulator.stats.requests.map((r) => r.headers['x-auth-token']).filter((t): t is string => typeof t === 'string');
    expect(iamTokens.length).toBeGreaterThan(0);
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]!);
    expect(text).not.toContain('sandbox-password');
    for (const iamToken of iamTokens) expect(text).not.toContain(iamToken.slice(0, 24));
  });
});
