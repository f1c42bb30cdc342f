import type { Simulator } from '../../src/simulator/startSimulator';
import { PRECHECK, RESULT } from '../support/drsPaths';
import { send, type SentRequest } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, signToken } from '../support/tokens';


describe('nothing invalid reaches IAM or DRS', () => {
  let gateway: TestGateway;
  let simulator: Simulator;
  const auth = { Authorization: bearer(signToken({ sub: 'validator', projects: ['*'] }, { expiresIn: 3600 })) };

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '1000' });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(async () => {
    expect(simulator.stats.iamTokenRequests).toBe(0);
    expect(simulator.stats.drsRequests).toBe(0);
    await gateway.stop();
  });

  const expectProblem = async (path: string, request: SentRequest, status: number, code: string) => {
    const res = await send(gateway.url, path, { ...request, headers: { ...auth, ...request.headers } });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const body = res.json<{ error_code: string; status: number; request_id: string; instance: string; errors?: unknown[] }>();
    expect(body).toMatchObject({ error_code: code, status, request_id: res.headers.get('x-request-id'), instance: path });
    return body;
  };

  it.each([
    ['an invalid precheck_mode', { jobs: [{ job_id: JOB, precheck_mode: 'forFun' }] }, '/jobs/0/precheck_mode'],
    ['a malformed job_id', { jobs: [{ job_id: 'not-a-job', precheck_mode: 'forStartJob' }] }, '/jobs/0/job_id'],
    ['no jobs', { jobs: [] }, '/jobs'],
    ['eleven jobs', { jobs: Array.from({ length: 11 }, (_, i) => ({ job_id: `${String(i).padStart(8, '0')}-88ad-43c8-811c-1268453jb101`, precheck_mode: 'forStartJob' })) }, '/jobs'],
    ['a duplicate job', { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }, { job_id: JOB, precheck_mode: 'forRetryJob' }] }, '/jobs/1'],
    ['an unknown top-level property', { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }], extra: true }, '/extra'],
    ['an unknown nested property', { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob', priority: 1 }] }, '/jobs/0/priority'],
    ['a missing jobs array', {}, '/jobs'],
  ])('batch-precheck: 400 GW.0400 for %s, pointing at it', async (_name, body, pointer) => {
    const problem = await expectProblem(PRECHECK, { body }, 400, 'GW.0400');
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer })]));
  });

  it('batch-precheck-result: 400 for a non-string job and for duplicates', async () => {
    expect((await expectProblem(RESULT, { body: { jobs: [42] } }, 400, 'GW.0400')).errors).toEqual([{ pointer: '/jobs/0', message: 'must be a string' }]);
    expect((await expectProblem(RESULT, { body: { jobs: [JOB, JOB] } }, 400, 'GW.0400')).errors).toEqual([{ pointer: '/jobs/1', message: 'duplicates an earlier job ID' }]);
  });

  it('rejects __proto__ and constructor keys without polluting anything', async () => {
    const raw = `{"jobs":[{"job_id":"${JOB}","precheck_mode":"forStartJob"}],"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}`;
    const problem = await expectProblem(PRECHECK, { raw }, 400, 'GW.0400');
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/__proto__' }), expect.objectContaining({ pointer: '/constructor' })]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('400 GW.0400 naming the parameter for a bad project_id', async () => {
    const problem = await expectProblem('/v3/short/jobs/batch-precheck', { body: { jobs: [JOB] } }, 400, 'GW.0400');
    expect(problem.errors).toEqual([{ parameter: 'project_id', message: 'must be 32 to 64 letters and digits' }]);
  });

  it('400 GW.0400 naming the header for an unsupported X-Language', async () => {
    const problem = await expectProblem(PRECHECK, { headers: { 'X-Language': 'fr-fr' }, body: { jobs: [] } }, 400, 'GW.0400');
    expect(problem.errors).toEqual([{ header: 'X-Language', message: 'must be en-us or zh-cn' }]);
  });

  it('400 GW.0401 for malformed JSON', async () => {
    await expectProblem(PRECHECK, { raw: '{"jobs": [' }, 400, 'GW.0401');
  });

  it('415 GW.0415 for a body that is not application/json, and for no content type', async () => {
    await expectProblem(PRECHECK, { raw: 'jobs=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, 415, 'GW.0415');
    await expectProblem(PRECHECK, { raw: '{"jobs":[]}', headers: { 'Content-Type': 'text/plain' } }, 415, 'GW.0415');
    await expectProblem(PRECHECK, { method: 'POST' }, 415, 'GW.0415');
  });

  it('413 GW.0413 for a body over 16 KiB', async () => {
    const raw = JSON.stringify({ jobs: [{ job_id: JOB, precheck_mode: 'forStartJob', pad: 'x'.repeat(17 * 1024) }] });
    await expectProblem(PRECHECK, { raw }, 413, 'GW.0413');
  });

  it('writes validation problems in Chinese when X-Language is zh-cn', async () => {
    const res = await send(gateway.url, PRECHECK, { headers: { ...auth, 'X-Language': 'zh-cn' }, body: { jobs: [] } });
    expect(res.json()).toMatchObject({ title: '请求无效', error_code: 'GW.0400' });
  });
});
