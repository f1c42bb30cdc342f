// What on-call reads: a request found by its X-Request-Id carries every access field, and a pre-check writes one audit line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger';
import type { Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, JOB_2, PROJECT, signToken } from '../support/tokens';

type Line = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- log lines are free-form JSON

describe('access and audit lines', () => {
  const { sink, lines } = logLines();
  let gateway: TestGateway;
  let simulator: Simulator;
  const token = signToken({ sub: 'audit-caller', azp: 'portal-web', projects: ['*'] });
  const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }, { job_id: JOB_2, precheck_mode: 'forRetryJob' }] };

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '6' }, { logger: createLogger('info', sink) });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());

  const parsed = (): Line[] => lines.map((l) => JSON.parse(l) as Line);
  const accessLine = (id: string): Line[] => parsed().filter((l) => l.msg === 'request completed' && l.req?.id === id);
  const auditLines = (id: string): Line[] => parsed().filter((l) => l.audit !== undefined && l.requestId === id);
  const precheck = (id: string, auth = bearer(token)) =>
    send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: auth, 'X-Request-Id': id }, body });

  it('finds a pre-check by its id: route template, project, region, caller, client, status, time, DRS status and time, token source', async () => {
    const res = await precheck('find-me-1');
    expect(res.status).toBe(200);
    const [line, ...more] = accessLine('find-me-1');
    expect(more).toHaveLength(0);
    expect(line).toMatchObject({
      level: 30,
      req: { id: 'find-me-1', method: 'POST', route: '/v3/:project_id/jobs/batch-precheck' },
      res: { statusCode: 200 },
      caller: 'audit-caller',
      client: 'portal-web',
      project: PROJECT,
      region: 'default',
      tokenSource: 'iam',
      upstream: { statusCode: 200, requestId: res.headers.get('x-upstream-request-id') },
    });
    expect(line?.code).toBeUndefined();
    expect(line?.limiter).toBeUndefined();
    expect(line?.responseTime).toBeGreaterThan(0);
    expect(line?.upstream.responseTime).toBeGreaterThan(0);
    expect(line?.upstream.responseTime).toBeLessThanOrEqual(line?.responseTime);

    await precheck('find-me-2');
    expect(accessLine('find-me-2')[0]).toMatchObject({ tokenSource: 'memory' });
  });

  it('writes exactly one audit line per pre-check: who, client, project, region, jobs and modes, DRS outcome, request id', async () => {
    const res = await precheck('audit-me-1');
    expect(res.status).toBe(200);
    const audits = auditLines('audit-me-1');
    expect(audits).toEqual([
      expect.objectContaining({
        audit: 'precheck',
        action: 'batch-precheck',
        outcome: 'success',
        caller: 'audit-caller',
        client: 'portal-web',
        project: PROJECT,
        region: 'default',
        jobs: [
          { job_id: JOB, precheck_mode: 'forStartJob' },
          { job_id: JOB_2, precheck_mode: 'forRetryJob' },
        ],
        status: 200,
        upstream: { statusCode: 200, requestId: res.headers.get('x-upstream-request-id') },
        requestId: 'audit-me-1',
      }),
    ]);
    // The access line is not an audit line, so a log router can split them on the `audit` field alone.
    expect(accessLine('audit-me-1')[0]?.audit).toBeUndefined();
  });

  it('names the code and DRS status of a failed pre-check in both lines', async () => {
    simulator.faults.set({ drs: { kind: 'status', status: 503, times: 1 } });
    const res = await precheck('fail-me-1');
    expect(res.status).toBeGreaterThanOrEqual(500);
    const code = (JSON.parse(res.text) as { error_code: string }).error_code;
    expect(accessLine('fail-me-1')[0]).toMatchObject({ res: { statusCode: res.status }, code, upstream: { statusCode: 503 } });
    expect(auditLines('fail-me-1')).toEqual([expect.objectContaining({ outcome: 'failure', status: res.status, code, upstream: expect.objectContaining({ statusCode: 503 }) })]);
  });

  it('names the limiter that refused by its RateLimit-Policy name, and writes no audit line for a refusal', async () => {
    const limited = bearer(signToken({ sub: 'limited-caller', projects: ['*'] }));
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await precheck(`limit-me-${i}`, limited)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect(accessLine('limit-me-6')[0]).toMatchObject({ res: { statusCode: 429 }, code: 'GW.2001', limiter: 'caller', caller: 'limited-caller', project: PROJECT });
    expect(auditLines('limit-me-6')).toHaveLength(0);
  });

  it('audits a results query as its own action, and a refused token writes no caller, project or audit', async () => {
    const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: bearer(token), 'X-Request-Id': 'result-1' }, body: { jobs: [JOB] } });
    expect(res.status).toBe(200);
    expect(auditLines('result-1')).toEqual([expect.objectContaining({ action: 'batch-precheck-result', jobs: [{ job_id: JOB }], outcome: 'success' })]);

    await precheck('bad-token-1', `Bearer ${token}x`);
    const line = accessLine('bad-token-1')[0];
    expect(line).toMatchObject({ res: { statusCode: 401 }, code: 'GW.1002' });
    expect(line?.caller).toBeUndefined();
    expect(line?.project).toBeUndefined();
    expect(auditLines('bad-token-1')).toHaveLength(0);
    expect(lines.join('\n')).not.toContain(token.split('.')[2] as string);
  });
});

describe('AUDIT_LOG', () => {
  it('receives the audit lines of pre-checks and admin actions, and no access line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-audit-'));
    const file = join(dir, 'audit.jsonl');
    const gateway = await startTestGateway({ AUDIT_LOG: file });
    try {
      const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
      expect((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer(), 'X-Request-Id': 'to-file-1' }, body })).status).toBe(200);
      const admin = bearer(signToken({ sub: 'operator', scope: 'gateway:admin' }));
      expect((await send(gateway.url, '/admin/config', { method: 'GET', headers: { Authorization: admin } })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
    const written = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    rmSync(dir, { recursive: true, force: true });
    expect(written.map((l) => [l.audit, l.action])).toEqual([
      ['precheck', 'batch-precheck'],
      ['admin', 'config.read'],
    ]);
    expect(written[0]).toMatchObject({ requestId: 'to-file-1', caller: 'caller-1', project: PROJECT });
  });
});
