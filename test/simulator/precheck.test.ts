// Pre-check behaviour: which job statuses admit which mode, per-item failures, and progress over (fake) time.
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { drs, fakeClock, issueToken, JOB_ID, jobId, precheckBody } from './simulatorClient';
import type { FakeClock } from '../support/fakeClock';

interface ResultItem {
  precheck_id: string;
  result?: boolean;
  process?: string;
  total_passed_rate?: string;
  rds_instance_id?: string;
  job_direction?: string;
  precheck_result?: Array<{ item: string; result: string; group: string; failed_reason?: string }>;
  error_code?: string;
  error_msg?: string;
}

describe('simulated DRS pre-check', () => {
  let sim: Simulator;
  let clock: FakeClock;
  let token: string;

  const start = async (body: object, headers: Record<string, string> = {}): Promise<{ results: object[]; count: number }> => {
    const response = await drs(sim, 'batch-precheck', token, body, headers);
    expect(response.status).toBe(200);
    return (await response.json()) as { results: object[]; count: number };
  };
  const results = async (...ids: string[]): Promise<ResultItem[]> => {
    const response = await drs(sim, 'batch-precheck-result', token, { jobs: ids });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: ResultItem[]; count: number };
    expect(body.count).toBe(ids.length);
    return body.results;
  };
  const result = async (id: string): Promise<ResultItem> => {
    const [item] = await results(id);
    if (item === undefined) throw new Error('no result item');
    return item;
  };

  beforeEach(async () => {
    clock = fakeClock();
    sim = await startSimulator({
      clock,
      precheckDurationMs: 10_000,
      jobs: [
        { id: jobId(1), status: 'CONFIGURATION', outcome: 'alarm' },
        { id: jobId(2), status: 'CONFIGURATION', outcome: 'fail' },
        { id: jobId(3), status: 'INCRE_TRANSFER_STARTED', outcome: 'pass' },
        { id: jobId(4), status: 'FULL_TRANSFER_FAILED', outcome: 'pass' },
        { id: jobId(5), status: 'FULL_TRANSFER_STARTED', outcome: 'pass' },
        { id: jobId(6), status: 'DELETED', outcome: 'pass' },
      ],
    });
    token = await issueToken(sim);
  });
  afterEach(() => sim.stop());

  it('starts a pre-check on an auto-created job, echoing the job ID as precheck_id', async () => {
    expect(await start(precheckBody(JOB_ID))).toEqual({ results: [{ id: JOB_ID, status: 'success', precheck_id: JOB_ID }], count: 1 });
    expect(sim.jobs.get(JOB_ID)).toMatchObject({ status: 'CONFIGURATION', precheck: { mode: 'forStartJob', startedAt: clock.now() } });
  });

  it('fails per item with DRS.M00304 when the status does not admit the mode, and passes the rest', async () => {
    const body = {
      jobs: [
        { job_id: jobId(3), precheck_mode: 'forStartJob' },
        { job_id: jobId(7), precheck_mode: 'forRetryJob' },
        { job_id: jobId(4), precheck_mode: 'forRetryJob' },
        { job_id: jobId(5), precheck_mode: 'forRetryJob' },
        { job_id: jobId(1), precheck_mode: 'forRetryJob' },
      ],
    };
    sim.jobs.set({ id: jobId(7), status: 'INCRE_TRANSFER_STARTED' });
    const wrongStatus = { status: 'failed', error_code: 'DRS.M00304', error_msg: 'This API cannot be called in the current task status.' };
    expect((await start(body)).results).toEqual([
      { id: jobId(3), ...wrongStatus },
      { id: jobId(7), status: 'success', precheck_id: jobId(7) },
      { id: jobId(4), status: 'success', precheck_id: jobId(4) },
      { id: jobId(5), ...wrongStatus },
      { id: jobId(1), ...wrongStatus },
    ]);
  });

  it('says DRS.M05004 for a deleted job', async () => {
    expect((await start(precheckBody(jobId(6)))).results).toEqual([
      { id: jobId(6), status: 'failed', error_code: 'DRS.M05004', error_msg: 'The task has been deleted or the resource has been released.' },
    ]);
  });

  it('answers per-item failures in Chinese under X-Language: zh-cn', async () => {
    expect((await start(precheckBody(jobId(5)), { 'X-Language': 'zh-cn' })).results).toEqual([
      { id: jobId(5), status: 'failed', error_code: 'DRS.M00304', error_msg: '当前任务状态不允许调用该接口。' },
    ]);
  });

  it('reports DRS.M00002 for a job that was never pre-checked', async () => {
    expect(await result(JOB_ID)).toEqual({ precheck_id: JOB_ID, error_code: 'DRS.M00002', error_msg: 'The returned result is empty.' });
  });

  it('advances progress with the clock and reaches "100%" with a passing result', async () => {
    await start(precheckBody(JOB_ID));
    const initial = await result(JOB_ID);
    expect(initial).toMatchObject({ precheck_id: JOB_ID, result: false, process: '0%', total_passed_rate: '0%', precheck_result: [] });
    expect(initial.rds_instance_id).toBeUndefined();

    clock.advance(5_000);
    const half = await result(JOB_ID);
    expect(half).toMatchObject({ result: false, process: '50%', total_passed_rate: '100%' });
    expect(half.precheck_result?.length).toBe(19);
    expect(half.precheck_result?.[0]).toMatchObject({ item: 'srcDbConnection', result: 'PASSED', group: 'network' });

    clock.advance(4_999);
    expect(await result(JOB_ID)).toMatchObject({ result: false, process: '99%' });

    clock.advance(1);
    const done = await result(JOB_ID);
    expect(done).toMatchObject({ result: true, process: '100%', total_passed_rate: '100%', job_direction: 'up' });
    expect(done.rds_instance_id).toMatch(/^[0-9a-f]{32}in01$/);
    expect(done.precheck_result?.length).toBe(39);
    expect(done.precheck_result?.every((item) => item.result === 'PASSED')).toBe(true);
    expect(done.precheck_result?.map((item) => item.item)).toEqual(expect.arrayContaining(['dstDbDiskSize', 'dstStatusCheck', 'srcDbVersionSupport']));
    expect(done.error_code).toBeUndefined();
  });

  it('finishes an alarm outcome with ALARM items, result true and a 100% rate', async () => {
    await start(precheckBody(jobId(1)));
    clock.advance(10_000);
    const done = await result(jobId(1));
    expect(done).toMatchObject({ result: true, process: '100%', total_passed_rate: '100%' });
    expect(done.precheck_result?.filter((item) => item.result === 'ALARM')).toEqual([
      expect.objectContaining({ item: 'srcDbBinlogExpireLogsDays', failed_reason: expect.stringMatching(/^[A-Z_]+$/) }),
    ]);
  });

  it('finishes a fail outcome with FAILED items carrying failed_reason, result false and a rate under 100%', async () => {
    await start(precheckBody(jobId(2)));
    clock.advance(10_000);
    const done = await result(jobId(2));
    expect(done).toMatchObject({ result: false, process: '100%', total_passed_rate: '94%' });
    const failed = done.precheck_result?.filter((item) => item.result === 'FAILED') ?? [];
    expect(failed.map((item) => item.item).sort()).toEqual(['dstDbPrivilegesIsEnough', 'srcBinlogFormatCheck']);
    expect(failed.every((item) => (item.failed_reason ?? '') !== '')).toBe(true);
  });

  it('restarts progress when a job is pre-checked again', async () => {
    await start(precheckBody(JOB_ID));
    clock.advance(10_000);
    expect(await result(JOB_ID)).toMatchObject({ process: '100%' });
    await start(precheckBody(JOB_ID));
    expect(await result(JOB_ID)).toMatchObject({ process: '0%', result: false });
  });

  it('answers every job of a batch in request order', async () => {
    await start(precheckBody(JOB_ID));
    const items = await results(jobId(9), JOB_ID);
    expect(items.map((item) => item.precheck_id)).toEqual([jobId(9), JOB_ID]);
    expect(items[0]).toMatchObject({ error_code: 'DRS.M00002' });
    expect(items[1]).toMatchObject({ process: '0%' });
  });

  it('reports a pre-check as done at once when precheckDurationMs is 0', async () => {
    await sim.stop();
    sim = await startSimulator({ clock, precheckDurationMs: 0 });
    token = await issueToken(sim);
    await start(precheckBody(JOB_ID));
    expect(await result(JOB_ID)).toMatchObject({ process: '100%', result: true });
  });

  describe('with autoCreateJobs off', () => {
    beforeEach(async () => {
      await sim.stop();
      sim = await startSimulator({ clock, autoCreateJobs: false, jobs: [{ id: jobId(1), status: 'CONFIGURATION', outcome: 'pass' }] });
      token = await issueToken(sim);
    });

    it('fails unknown jobs per item with DRS.M05003 on both routes', async () => {
      const notFound = { error_code: 'DRS.M05003', error_msg: 'Task information not found.' };
      expect((await start(precheckBody(JOB_ID, jobId(1)))).results).toEqual([
        { id: JOB_ID, status: 'failed', ...notFound },
        { id: jobId(1), status: 'success', precheck_id: jobId(1) },
      ]);
      expect(await result(JOB_ID)).toEqual({ precheck_id: JOB_ID, ...notFound });
      expect(sim.jobs.get(JOB_ID)).toBeUndefined();
    });

    it('knows jobs added later with jobs.set', async () => {
      sim.jobs.set({ id: JOB_ID, status: 'CONFIGURATION' });
      expect((await start(precheckBody(JOB_ID))).results).toEqual([{ id: JOB_ID, status: 'success', precheck_id: JOB_ID }]);
      expect(sim.jobs.get(JOB_ID)).toMatchObject({ outcome: 'pass' });
    });
  });
});
