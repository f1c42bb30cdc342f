// Every progress stream ends: on unreadable DRS answers, on failures that will not pass, never on one that may.
import { ERROR_CATALOGUE } from '../../src/errors/catalogue';
import { MAX_UNREADABLE_POLLS, POLL_RETRIES } from '../../src/progress/ProgressHub';
import { startSimulator, type DrsFault, type Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { openSse, readSse } from '../support/sse';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

const POLL_MS = 100;
const token = bearer(signToken({ sub: 'watcher', projects: [PROJECT] }));
const jobId = (n: number) => `${String(n).padStart(8, '0')}-1111-4222-8333-44444444jb${String(n).padStart(2, '0')}`;

describe('how progress streams end', () => {
  let simulator: Simulator;
  let gateway: TestGateway;

  beforeEach(async () => {
    simulator = await startSimulator({ precheckDurationMs: 1_000 });
    gateway = await startTestGateway({ DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, PRECHECK_POLL_INTERVAL_MS: String(POLL_MS), RATE_LIMIT_MAX: '1000', UPSTREAM_TIMEOUT_MS: '400' });
  });
  afterEach(async () => {
    await gateway.stop();
    await simulator.stop();
  });

  const start = async (jobs: string[]) => {
    const started = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: { jobs: jobs.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' })) } });
    expect(started.status).toBe(200);
  };
  const streamUrl = (jobs: string[]) => `${gateway.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${jobs.join(',')}`;
  const watch = (jobs: string[]) => readSse(streamUrl(jobs), { Authorization: token }, 10_000);
  const polls = () => simulator.stats.drsRequestsByRoute['batch-precheck-result'] ?? 0;
  const resultsFault = (fault: DrsFault) => simulator.faults.set({ drs: { ...fault, route: 'batch-precheck-result' } as DrsFault });

  describe('a job DRS gives nothing readable for', () => {
    const unreadableDone = { event: 'done', data: { job_id: JOB, error_code: 'GW.3004', error_msg: ERROR_CATALOGUE['GW.3004'].detail['en-us'] } };

    it.each([
      ['left out of the answer (count 0)', { results: [], count: 0 }],
      ['an item whose process is not a percentage string', { results: [{ precheck_id: JOB, process: 50, total_passed_rate: '0%' }], count: 1 }],
      ['an item whose error_code is not a string', { results: [{ precheck_id: JOB, process: '40%', error_code: 42 }], count: 1 }],
      ['an item whose precheck_id is not a string', { results: [{ precheck_id: 7, process: '40%' }], count: 1 }],
    ])('%s ends with done GW.3004 within the bounded number of polls', async (_case, body) => {
      await start([JOB]);
      resultsFault({ kind: 'status', status: 200, body });
      const stream = await watch([JOB]);
      expect(stream.events).toEqual([unreadableDone]);
      expect(polls()).toBeGreaterThanOrEqual(MAX_UNREADABLE_POLLS);
      expect(polls()).toBeLessThanOrEqual(MAX_UNREADABLE_POLLS + 1);
    });

    it('is not ended by fewer unreadable answers in a row than the bound', async () => {
      await start([JOB]);
      simulator.faults.set({ drs: { kind: 'status', status: 200, body: { results: [], count: 0 }, route: 'batch-precheck-result', times: MAX_UNREADABLE_POLLS - 1 } });
      const stream = await watch([JOB]);
      expect(stream.events.at(-1)).toMatchObject({ event: 'done', data: { job_id: JOB, result: true, total_passed_rate: '100%' } });
    });

    it('ends only that job: the other job of the stream runs to its own done', async () => {
      const other = jobId(2);
      await start([JOB, other]);
      // Every answer leaves JOB out and reports the other job as DRS would.
      resultsFault({ kind: 'status', status: 200, body: { results: [{ precheck_id: other, process: '100%', total_passed_rate: '100%', result: true }], count: 1 } });
      const stream = await watch([JOB, other]);
      const done = stream.events.filter((e) => e.event === 'done');
      expect(done).toEqual(expect.arrayContaining([unreadableDone, { event: 'done', data: { job_id: other, result: true, total_passed_rate: '100%' } }]));
      expect(done).toHaveLength(2);
    });
  });

  describe('a poll that fails', () => {
    it.each<[string, DrsFault[]]>([
      ['a 5xx', [{ kind: 'status', status: 503, times: 2 }]],
      ['a throttle', [{ kind: 'throttle', retryAfter: '1', times: 2 }]],
      ['a timeout, a reset connection and an HTML 502', [{ kind: 'hang', times: 1 }, { kind: 'drop', times: 1 }, { kind: 'html', status: 502, times: 1 }]],
    ])('with %s is retried and the stream goes on to done', async (_case, faults) => {
      await start([JOB]);
      simulator.faults.set({ drs: faults.map((fault) => ({ ...fault, route: 'batch-precheck-result' }) as DrsFault) });
      const stream = await watch([JOB]);
      expect(stream.events.filter((e) => e.event === 'error')).toEqual([]);
      expect(stream.events.at(-1)).toMatchObject({ event: 'done', data: { job_id: JOB, result: true } });
    });

    it("waits DRS's Retry-After before retrying a throttled poll, when it is longer than the backoff", async () => {
      await start([JOB]);
      resultsFault({ kind: 'throttle', retryAfter: '1', times: 1 });
      const stream = await watch([JOB]);
      expect(stream.events.at(-1)).toMatchObject({ event: 'done', data: { job_id: JOB, result: true } });
      const [throttled, retried] = simulator.stats.requests.filter((r) => r.route === 'batch-precheck-result').map((r) => r.receivedAt);
      expect((retried as number) - (throttled as number)).toBeGreaterThanOrEqual(1_000);
    });

    it('ends the stream with error only once the retries are spent', async () => {
      await start([JOB]);
      resultsFault({ kind: 'status', status: 500 });
      const stream = await watch([JOB]);
      expect(stream.events).toEqual([{ event: 'error', data: expect.objectContaining({ error_code: 'GW.3005', status: 502, request_id: expect.any(String) }) }]);
      expect(polls()).toBe(1 + POLL_RETRIES);
    });

    it.each<[string, DrsFault, Record<string, unknown>]>([
      ['DRS refuses the request (4xx DRS.*)', { kind: 'status', status: 400, body: { error_code: 'DRS.M00202', error_msg: 'The value of jobs is invalid.' } }, { status: 400, error_code: 'DRS.M00202' }],
      ['DRS keeps refusing the token', { kind: 'unauthorized' }, { status: 502, error_code: 'GW.3003' }],
    ])('ends the stream with error at once when %s: asking again will not change it', async (_case, fault, problem) => {
      await start([JOB]);
      resultsFault(fault);
      const stream = await watch([JOB]);
      expect(stream.events).toEqual([{ event: 'error', data: expect.objectContaining(problem) }]);
      // The token refusal is replayed once with a new IAM token; a DRS refusal is not asked again at all.
      expect(polls()).toBe(fault.kind === 'unauthorized' ? 2 : 1);
    });

    it('ends only the streams watching the failing batch, not other streams of the project', async () => {
      const firstBatch = Array.from({ length: 10 }, (_, i) => jobId(i + 10));
      const lonely = jobId(99);
      await start(firstBatch);
      await start([lonely]);
      // DRS takes 10 jobs per call: the first stream's jobs fill one batch, the lonely job goes in a second one.
      simulator.faults.set({ drs: { kind: 'status', status: 500, route: 'batch-precheck-result', job: lonely } });
      const wide = openSse(streamUrl(firstBatch), { Authorization: token });
      expect(await wide.status).toBe(200);
      const failing = await watch([lonely]);
      await wide.ended;
      expect(failing.events).toEqual([{ event: 'error', data: expect.objectContaining({ error_code: 'GW.3005' }) }]);
      expect(wide.events.filter((e) => e.event === 'error')).toEqual([]);
      expect(wide.events.filter((e) => e.event === 'done').map((e) => e.data.job_id).sort()).toEqual([...firstBatch].sort());
    });
  });
});
