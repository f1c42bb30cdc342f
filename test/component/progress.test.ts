import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { readSse } from '../support/sse';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, JOB_2, OTHER_PROJECT, PROJECT, signToken } from '../support/tokens';

const POLL_MS = 200;
const DURATION_MS = 1_200;

describe('GET /v3/{project_id}/jobs/precheck-progress (server-sent events)', () => {
  let simulator: Simulator;
  let gateway: TestGateway;
  const token = bearer(signToken({ sub: 'watcher', projects: [PROJECT] }));

  beforeAll(async () => {
    simulator = await startSimulator({ precheckDurationMs: DURATION_MS });
    gateway = await startTestGateway(
      { DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, PRECHECK_POLL_INTERVAL_MS: String(POLL_MS), RATE_LIMIT_MAX: '1000' },
      {},
      JSON.stringify({ progress: { pollIntervalMs: POLL_MS, heartbeatMs: 300 } }),
    );
  });
  afterAll(async () => {
    await gateway.stop();
    await simulator.stop();
  });

  const start = (jobs: string[]) =>
    send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: { jobs: jobs.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' })) } });
  const watch = (jobs: string, auth = token, project = PROJECT) => readSse(`${gateway.url}/v3/${project}/jobs/precheck-progress?jobs=${jobs}`, { Authorization: auth });

  it('streams progress events as DRS advances, a done event per job, comment lines, then closes', async () => {
    await start([JOB, JOB_2]);
    const stream = await watch(`${JOB},${JOB_2}`);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const progress = stream.events.filter((e) => e.event === 'progress' && e.data.job_id === JOB);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)?.data).toMatchObject({ job_id: JOB, process: '100%', result: true });
    const processes = progress.map((e) => Number(String(e.data.process).replace('%', '')));
    expect([...processes].sort((a, b) => a - b)).toEqual(processes);
    expect(new Set(processes).size).toBe(processes.length);
    const done = stream.events.filter((e) => e.event === 'done');
    expect(done.map((e) => e.data.job_id).sort()).toEqual([JOB, JOB_2].sort());
    expect(stream.events.at(-1)?.event).toBe('done');
    expect(stream.comments).toBeGreaterThanOrEqual(1);
  });

  it('polls DRS for a job at most once per interval however many streams watch it', async () => {
    await start([JOB]);
    // Let the previous test's shared result (one interval old at most) lapse.
    await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS));
    simulator.resetStats();
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => watch(JOB)));
    const elapsed = Date.now() - started;
    const polls = simulator.stats.drsRequestsByRoute['batch-precheck-result'] ?? 0;
    expect(polls).toBeGreaterThanOrEqual(1);
    expect(polls).toBeLessThanOrEqual(Math.ceil(elapsed / POLL_MS) + 1);
  });

  it('finishes a job DRS answers with an error code (never pre-checked) instead of waiting forever', async () => {
    const neverChecked = '7a7a7a7a-1111-4222-8333-44444444jb01';
    const stream = await watch(neverChecked);
    expect(stream.events.map((e) => e.event)).toEqual(['progress', 'done']);
    expect(stream.events[1]?.data).toMatchObject({ job_id: neverChecked, error_code: 'DRS.M00002' });
  });

  it('retries a poll DRS failed with a 5xx instead of ending the stream', async () => {
    simulator.faults.set({ drs: { kind: 'status', status: 500, route: 'batch-precheck-result', times: 1 } });
    const stream = await watch('8b8b8b8b-1111-4222-8333-44444444jb02');
    expect(stream.events.map((e) => e.event)).toEqual(['progress', 'done']);
    expect(stream.events[1]?.data).toMatchObject({ error_code: 'DRS.M00002' });
  });

  it('refuses bad input and foreign projects before streaming, in problem+json', async () => {
    const bad = await send(gateway.url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=nope,${JOB}`, { method: 'GET', headers: { Authorization: token } });
    expect(bad.status).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ message: expect.any(String) })]);
    const missing = await send(gateway.url, `/v3/${PROJECT}/jobs/precheck-progress`, { method: 'GET', headers: { Authorization: token } });
    expect(missing.json()).toMatchObject({ status: 400, errors: [{ parameter: 'jobs', message: expect.any(String) }] });
    const foreign = await send(gateway.url, `/v3/${OTHER_PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET', headers: { Authorization: token } });
    expect(foreign.status).toBe(403);
    const anonymous = await send(gateway.url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET' });
    expect(anonymous.status).toBe(401);
  });
});
