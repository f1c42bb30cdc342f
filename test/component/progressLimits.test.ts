// Progress streams are bounded: in lifetime (token expiry, PRECHECK_STREAM_MAX_MS) and in number per caller and per IP.
import jwt from 'jsonwebtoken';
import { STREAM_CAP_RETRY_AFTER_S } from '../../src/progress/StreamSlots';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { FakeClock } from '../support/fakeClock';
import { send } from '../support/http';
import { openSse, readSse, type LiveSse } from '../support/sse';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken, TEST_SECRET } from '../support/tokens';

const POLL_MS = 100;
const HEARTBEAT_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitUntil = async (condition: () => boolean, timeoutMs = 5_000): Promise<void> => {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > timeoutMs) throw new Error('condition not met in time');
    await sleep(20);
  }
};
const tokenOf = (sub: string) => bearer(signToken({ sub, projects: [PROJECT] }));

describe('bounded progress streams', () => {
  let simulator: Simulator;
  let gateway: TestGateway | undefined;
  const streams: LiveSse[] = [];

  const startGateway = async (env: Record<string, string>, clock?: FakeClock) => {
    gateway = await startTestGateway(
      { DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, PRECHECK_POLL_INTERVAL_MS: String(POLL_MS), RATE_LIMIT_MAX: '1000', ...env },
      clock ? { clock } : {},
      JSON.stringify({ progress: { heartbeatMs: HEARTBEAT_MS } }),
    );
    return gateway;
  };
  const streamUrl = (jobs = JOB) => `${(gateway as TestGateway).url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${jobs}`;
  const open = (authorization: string, jobs?: string): LiveSse => {
    const stream = openSse(streamUrl(jobs), { Authorization: authorization });
    streams.push(stream);
    return stream;
  };
  const refusal = (authorization: string) => send((gateway as TestGateway).url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET', headers: { Authorization: authorization } });

  beforeEach(async () => {
    // Long enough that no stream here ends by its job finishing, unless a test makes it.
    simulator = await startSimulator({ precheckDurationMs: 600_000 });
  });
  afterEach(async () => {
    for (const stream of streams.splice(0)) {
      stream.abort();
      await stream.ended;
    }
    await gateway?.stop();
    gateway = undefined;
    await simulator.stop();
  });

  const startJob = async (job = JOB) => {
    const started = await send((gateway as TestGateway).url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: tokenOf('starter') }, body: { jobs: [{ job_id: job, precheck_mode: 'forStartJob' }] } });
    expect(started.status).toBe(200);
  };

  describe('lifetime', () => {
    it('closes with an error event carrying the GW.1003 problem once the bearer token expires, clock tolerance included', async () => {
      const clock = new FakeClock(Date.now());
      await startGateway({ JWT_CLOCK_TOLERANCE_MS: '5000' }, clock);
      await startJob();
      const exp = Math.floor(clock.now() / 1000) + 60;
      const token = bearer(jwt.sign({ sub: 'expiring', scope: 'drs:precheck', projects: [PROJECT], exp }, TEST_SECRET, { algorithm: 'HS256' }));
      const stream = open(token);
      await waitUntil(() => stream.events.length > 0);
      clock.advance(exp * 1000 - clock.now() + 4_000);
      await sleep(5 * HEARTBEAT_MS);
      expect(stream.events.filter((e) => e.event !== 'progress')).toEqual([]);
      clock.advance(1_000);
      await stream.ended;
      expect(stream.events.at(-1)).toEqual({
        event: 'error',
        data: expect.objectContaining({ status: 401, error_code: 'GW.1003', error_msg: 'The bearer token has expired.', request_id: expect.any(String) }),
      });
    });

    it('ends with event end {"reason":"max-lifetime"} after PRECHECK_STREAM_MAX_MS', async () => {
      await startGateway({ PRECHECK_STREAM_MAX_MS: '700' });
      await startJob();
      const stream = await readSse(streamUrl(), { Authorization: tokenOf('long-watcher') }, 10_000);
      expect(stream.events[0]).toMatchObject({ event: 'progress', data: { job_id: JOB } });
      expect(stream.events.at(-1)).toEqual({ event: 'end', data: { reason: 'max-lifetime' } });
    });
  });

  describe('count', () => {
    it('refuses a caller over PRECHECK_STREAMS_PER_CALLER with 429 GW.2003 and Retry-After, and admits again once one closes', async () => {
      await startGateway({ PRECHECK_STREAMS_PER_CALLER: '2' });
      await startJob();
      const token = tokenOf('many-tabs');
      const first = open(token);
      const second = open(token);
      expect([await first.status, await second.status]).toEqual([200, 200]);
      const refused = await refusal(token);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(STREAM_CAP_RETRY_AFTER_S.min);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(STREAM_CAP_RETRY_AFTER_S.max);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ status: 429, error_code: 'GW.2003', title: 'Too many open progress streams' });
      // Another caller on the same address is not affected.
      const other = open(tokenOf('someone-else'));
      expect(await other.status).toBe(200);
      first.abort();
      await first.ended;
      let again = open(token);
      for (let attempt = 0; (await again.status) !== 200 && attempt < 50; attempt += 1) {
        await sleep(20);
        again = open(token);
      }
      expect(await again.status).toBe(200);
    });

    it('refuses an IP over PRECHECK_STREAMS_PER_IP whoever the caller', async () => {
      await startGateway({ PRECHECK_STREAMS_PER_CALLER: '10', PRECHECK_STREAMS_PER_IP: '3' });
      await startJob();
      const opened = [open(tokenOf('a')), open(tokenOf('a')), open(tokenOf('b'))];
      expect(await Promise.all(opened.map((s) => s.status))).toEqual([200, 200, 200]);
      const refused = await refusal(tokenOf('c'));
      expect(refused.status).toBe(429);
      expect(refused.json()).toMatchObject({ error_code: 'GW.2003' });
    });

    it('frees the slot on every way a stream closes: done, error, max lifetime, hang-up', async () => {
      await startGateway({ PRECHECK_STREAMS_PER_CALLER: '1', PRECHECK_STREAM_MAX_MS: '600' });
      const token = tokenOf('one-at-a-time');
      const ended: string[] = [];
      // done: a job never pre-checked ends at its first poll with DRS.M00002.
      const never = '7a7a7a7a-1111-4222-8333-44444444jb01';
      const finished = await readSse(streamUrl(never), { Authorization: token });
      ended.push(finished.events.at(-1)?.event ?? 'none');
      // error: DRS refuses the poll.
      simulator.faults.set({ drs: { kind: 'status', status: 400, body: { error_code: 'DRS.M00202', error_msg: 'The value of jobs is invalid.' }, route: 'batch-precheck-result', times: 1 } });
      const failed = await readSse(streamUrl(), { Authorization: token });
      ended.push(failed.events.at(-1)?.event ?? 'none');
      // end: the stream reaches PRECHECK_STREAM_MAX_MS (once the failed poll's shared record has lapsed).
      await startJob();
      await sleep(2 * POLL_MS);
      const aged = await readSse(streamUrl(), { Authorization: token });
      ended.push(aged.events.at(-1)?.event ?? 'none');
      expect(ended).toEqual(['done', 'error', 'end']);
      // hang-up: the client leaves.
      const left = open(token);
      expect(await left.status).toBe(200);
      left.abort();
      await left.ended;
      await sleep(100);
      const last = open(token);
      expect(await last.status).toBe(200);
    });
  });
});
