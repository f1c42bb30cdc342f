// Request validation of both DRS routes: the DRS codes, the substituted parameter, and the zh-cn texts.
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { drs, issueToken, JOB_ID, jobId, precheckBody } from './simulatorClient';

describe('simulated DRS request validation', () => {
  let sim: Simulator;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator();
    token = await issueToken(sim);
  });
  afterAll(() => sim.stop());

  const expectError = async (response: Response, code: string, message: string): Promise<void> => {
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error_code: code, error_msg: message });
  };

  describe('batch-precheck', () => {
    it.each([
      ['jobs missing', {}, 'DRS.M00201', 'The parameter jobs is empty.'],
      ['jobs empty', { jobs: [] }, 'DRS.M00201', 'The parameter jobs is empty.'],
      ['jobs not an array', { jobs: 'x' }, 'DRS.M00202', 'The value of parameter jobs is invalid.'],
      ['more than 10 jobs', precheckBody(...Array.from({ length: 11 }, (_, i) => jobId(i))), 'DRS.M00202', 'The value of parameter jobs is invalid.'],
      ['a bad precheck_mode', { jobs: [{ job_id: JOB_ID, precheck_mode: 'forever' }] }, 'DRS.M00202', 'The value of parameter precheck_mode is invalid.'],
      ['no precheck_mode', { jobs: [{ job_id: JOB_ID }] }, 'DRS.M00201', 'The parameter precheck_mode is empty.'],
      ['a malformed job_id', precheckBody('140b5236-88ad-43c8-811c'), 'DRS.M00202', 'The value of parameter job_id is invalid.'],
      ['no job_id', { jobs: [{ precheck_mode: 'forStartJob' }] }, 'DRS.M00201', 'The parameter job_id is empty.'],
      ['duplicate job IDs', precheckBody(JOB_ID, JOB_ID), 'DRS.M00301', 'There are duplicate job_id in request.'],
    ])('rejects %s', async (_name, body, code, message) => {
      await expectError(await drs(sim, 'batch-precheck', token, body), code, message);
    });

    it('accepts exactly 10 jobs', async () => {
      const response = await drs(sim, 'batch-precheck', token, precheckBody(...Array.from({ length: 10 }, (_, i) => jobId(i))));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ count: 10 });
    });

    it('rejects a body that is not JSON with DRS.M00007', async () => {
      await expectError(await drs(sim, 'batch-precheck', token, '{"jobs":['), 'DRS.M00007', 'Invalid request parameter.');
    });
  });

  describe('batch-precheck-result', () => {
    it.each([
      ['jobs missing', {}, 'DRS.M00201', 'The parameter jobs is empty.'],
      ['an empty job ID', { jobs: [''] }, 'DRS.M00201', 'The parameter jobs is empty.'],
      ['a non-UUID job ID', { jobs: ['job-1'] }, 'DRS.M00202', 'The value of parameter jobs is invalid.'],
      ['objects instead of IDs', { jobs: [{ job_id: JOB_ID }] }, 'DRS.M00202', 'The value of parameter jobs is invalid.'],
      ['duplicate job IDs', { jobs: [JOB_ID, JOB_ID] }, 'DRS.M00301', 'There are duplicate jobs in request.'],
    ])('rejects %s', async (_name, body, code, message) => {
      await expectError(await drs(sim, 'batch-precheck-result', token, body), code, message);
    });
  });

  describe('X-Language: zh-cn', () => {
    const zh = { 'X-Language': 'zh-cn' };

    it('answers validation errors in Chinese', async () => {
      await expectError(await drs(sim, 'batch-precheck', token, { jobs: [] }, zh), 'DRS.M00201', '参数jobs为空。');
      await expectError(await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID, JOB_ID), zh), 'DRS.M00301', '请求中存在重复的job_id。');
      await expectError(await drs(sim, 'batch-precheck', token, '[', zh), 'DRS.M00007', '请求参数无效。');
    });

    it('answers the project mismatch in Chinese but keeps APIG messages in English', async () => {
      const foreign = await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID), zh, 'a4a5d4098fb4474fa22cd05f897d6b99');
      expect(await foreign.json()).toEqual({ error_code: 'DRS.M00261', error_msg: '无效的项目ID。' });
      const missing = await drs(sim, 'batch-precheck', undefined, precheckBody(JOB_ID), zh);
      expect(await missing.json()).toMatchObject({ error_msg: 'Incorrect IAM authentication information: x-auth-token not found' });
    });

    it('falls back to English for any other language', async () => {
      await expectError(await drs(sim, 'batch-precheck', token, { jobs: [] }, { 'X-Language': 'fr-fr' }), 'DRS.M00201', 'The parameter jobs is empty.');
    });
  });
});
