// A client that hangs up at any moment of a progress stream, even before its first byte, leaves nothing polling.
import { createTokenVerifier, type TokenVerifier } from '../../src/auth';
import { systemClock } from '../../src/clock';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { sendRedisCommand, startRedis, type RedisProcess } from '../support/redis';
import { openSse } from '../support/sse';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken, TEST_SECRET } from '../support/tokens';

const POLL_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('progress streams whose client hangs up', () => {
  let simulator: Simulator;
  let redis: RedisProcess;
  let gateway: TestGateway;
  const token = bearer(signToken({ sub: 'leaver', projects: [PROJECT] }));
  const streamUrl = () => `${gateway.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`;
  const polls = () => simulator.stats.drsRequestsByRoute['batch-precheck-result'] ?? 0;
  const openLeases = async () => Number(await sendRedisCommand(redis.port, ['EVAL', "return #redis.call('KEYS', ARGV[1])", '0', 'gw:streams:*']));

  /** DRS polls during a quiet stretch of several intervals, once whatever was under way has settled. */
  const pollsWhileQuiet = async (): Promise<number> => {
    await sleep(4 * POLL_MS);
    simulator.resetStats();
    await sleep(8 * POLL_MS);
    return polls();
  };

  beforeAll(async () => {
    // A pre-check that runs for the whole file: a stream left behind would poll it on every interval.
    simulator = await startSimulator({ precheckDurationMs: 600_000 });
    redis = await startRedis();
    gateway = await startTestGateway({
      DRS_ENDPOINT: simulator.url,
      IAM_ENDPOINT: simulator.url,
      REDIS_URL: redis.url,
      TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY,
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      PRECHECK_POLL_INTERVAL_MS: String(POLL_MS),
      RATE_LIMIT_MAX: '10000',
      IP_RATE_LIMIT_MAX: '10000',
      PRECHECK_STREAMS_PER_CALLER: '1000',
      PRECHECK_STREAMS_PER_IP: '1000',
    });
    const started = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] } });
    expect(started.status).toBe(200);
  }, 30_000);
  afterAll(async () => {
    redis.resume();
    await gateway.stop();
    await redis.stop();
    await simulator.stop();
  });

  it('a client that leaves while the rate limiter waits for a slow Redis starts no polling', async () => {
    redis.pause();
    const stream = openSse(streamUrl(), { Authorization: token });
    // The request is now inside admission, waiting for the limiter scripts Redis does not answer.
    await sleep(400);
    stream.abort();
    await stream.ended;
    await sleep(100);
    redis.resume();
    expect(await pollsWhileQuiet()).toBe(0);
    expect(await openLeases()).toBe(0);
  });

  it('a client that leaves while its token is being verified (a slow key source, without Redis) starts no polling', async () => {
    const real = createTokenVerifier({ secret: TEST_SECRET, clockToleranceMs: 0, clock: systemClock });
    const slow: TokenVerifier = { verify: async (authorization) => (await sleep(400), real.verify(authorization)) };
    const memoryOnly = await startTestGateway({ DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, PRECHECK_POLL_INTERVAL_MS: String(POLL_MS) }, { verifier: slow });
    try {
      const stream = openSse(`${memoryOnly.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { Authorization: token });
      await sleep(150);
      stream.abort();
      await stream.ended;
      expect(await pollsWhileQuiet()).toBe(0);
    } finally {
      await memoryOnly.stop();
    }
  });

  it('clients that leave at any moment of the opening, or once streaming, leave no job polled and no lease held', async () => {
    const streams = Array.from({ length: 24 }, (_, i) => ({ stream: openSse(streamUrl(), { Authorization: token }), leaveAfterMs: i * 5 }));
    await Promise.all(
      streams.map(async ({ stream, leaveAfterMs }) => {
        await sleep(leaveAfterMs);
        stream.abort();
        await stream.ended;
      }),
    );
    const late = openSse(streamUrl(), { Authorization: token });
    for (let waited = 0; late.events.length === 0 && waited < 5_000; waited += 20) await sleep(20);
    expect(late.events[0]).toMatchObject({ event: 'progress', data: { job_id: JOB } });
    late.abort();
    await late.ended;
    expect(await pollsWhileQuiet()).toBe(0);
    expect(await openLeases()).toBe(0);
  });
});
