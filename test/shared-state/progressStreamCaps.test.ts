// Stream caps hold across instances sharing Redis; leases of a dead instance lapse; without Redis each instance counts alone.
import { createHash } from 'node:crypto';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { FakeClock } from '../support/fakeClock';
import { send } from '../support/http';
import { sendRedisCommand, startRedis, type RedisProcess } from '../support/redis';
import { openSse, type LiveSse } from '../support/sse';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { waitFor } from '../support/eventually';

const HEARTBEAT_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tokenOf = (sub: string) => bearer(signToken({ sub, projects: [PROJECT] }));
/** The caller's lease set, named as the gateway names it. */
const callerKey = (sub: string) => `gw:streams:{caller:${createHash('sha256').update(sub).digest('hex').slice(0, 24)}}`;

describe('progress stream caps on two instances', () => {
  let simulator: Simulator;
  let redis: RedisProcess;
  let gateways: TestGateway[] = [];
  const streams: LiveSse[] = [];

  const start = async (env: Record<string, string>) => {
    gateways = await Promise.all(
      [0, 1].map(() =>
        startTestGateway(
          { DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, RATE_LIMIT_MAX: '1000', PRECHECK_STREAMS_PER_CALLER: '2', ...env },
          {},
          JSON.stringify({ progress: { heartbeatMs: HEARTBEAT_MS } }),
        ),
      ),
    );
    await Promise.all(gateways.map((g) => (g.redis ? waitFor(() => g.redis?.status() === 'up', 5_000) : undefined)));
    const started = await send(gateways[0]!.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: tokenOf('starter') }, body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] } });
    expect(started.status).toBe(200);
  };
  const open = (gateway: TestGateway, authorization: string): LiveSse => {
    const stream = openSse(`${gateway.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { Authorization: authorization });
    streams.push(stream);
    return stream;
  };
  const redisEval = (script: string, ...args: string[]) => sendRedisCommand(redis.port, ['EVAL', script, '1', ...args]);

  beforeAll(async () => {
    simulator = await startSimulator({ precheckDurationMs: 600_000 });
    redis = await startRedis();
  }, 30_000);
  afterEach(async () => {
    for (const stream of streams.splice(0)) {
      stream.abort();
      await stream.ended;
    }
    await Promise.all(gateways.map((g) => g.stop()));
    gateways = [];
    await sendRedisCommand(redis.port, ['FLUSHALL']);
  });
  afterAll(async () => {
    await redis.stop();
    await simulator.stop();
  });

  it('counts a caller across instances with Redis: two streams on two instances, the third refused on either', async () => {
    await start({ REDIS_URL: redis.url });
    const token = tokenOf('spread-out');
    expect([await open(gateways[0]!, token).status, await open(gateways[1]!, token).status]).toEqual([200, 200]);
    for (const gateway of gateways) {
      const refused = await send(gateway.url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET', headers: { Authorization: token } });
      expect(refused.status).toBe(429);
      expect(refused.json()).toMatchObject({ error_code: 'GW.2003' });
    }
  });

  it('refuses a caller again within a second without asking Redis about its streams: a reopening loop costs the limiters only', async () => {
    // A clock that stands still keeps the pause from lapsing however slow the machine is; no live stream means
    // no lease renewals among the scripts counted.
    const clock = new FakeClock(Date.now());
    const gateway = await startTestGateway(
      { DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, REDIS_URL: redis.url, RATE_LIMIT_MAX: '1000', PRECHECK_STREAMS_PER_CALLER: '1' },
      { clock },
    );
    gateways = [gateway];
    await waitFor(() => gateway.redis?.status() === 'up', 5_000);
    await sendRedisCommand(redis.port, ['ZADD', callerKey('reopener'), String(clock.now() + 60_000), 'stream-elsewhere']);
    const reopen = () => send(gateway.url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET', headers: { Authorization: tokenOf('reopener') } });
    expect((await reopen()).status).toBe(429);
    const scripts = async () => Number(/^cmdstat_evalsha:calls=(\d+)/m.exec(await sendRedisCommand(redis.port, ['INFO', 'commandstats']))?.[1] ?? 0);
    const before = await scripts();
    for (let i = 0; i < 5; i += 1) expect((await reopen()).status).toBe(429);
    // Two limiter scripts per request, and none for the stream caps.
    expect((await scripts()) - before).toBe(2 * 5);
  });

  it('renews a live stream lease every heartbeat and drops it when the stream closes', async () => {
    await start({ REDIS_URL: redis.url });
    const stream = open(gateways[0]!, tokenOf('renewer'));
    expect(await stream.status).toBe(200);
    const score = async () => Number(await redisEval("return redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]", callerKey('renewer')));
    const first = await score();
    await sleep(4 * HEARTBEAT_MS);
    expect(await score()).toBeGreaterThan(first);
    stream.abort();
    await stream.ended;
    await sleep(100);
    expect(await redisEval("return redis.call('ZCARD', KEYS[1])", callerKey('renewer'))).toBe('0');
  });

  it("lets a dead instance's leases lapse: they count until their lease ends, then free the slots", async () => {
    await start({ REDIS_URL: redis.url, PRECHECK_STREAMS_PER_CALLER: '1' });
    // What an instance that died with an open stream leaves behind: a lease nobody will renew or release.
    await sendRedisCommand(redis.port, ['ZADD', callerKey('orphaned'), String(Date.now() + 600), 'dead-instance-stream']);
    const refused = await send(gateways[0]!.url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET', headers: { Authorization: tokenOf('orphaned') } });
    expect(refused.status).toBe(429);
    await sleep(700);
    expect(await open(gateways[1]!, tokenOf('orphaned')).status).toBe(200);
  });

  it('keeps counting the streams an instance already holds when Redis stops answering', async () => {
    await start({ REDIS_URL: redis.url });
    const token = tokenOf('through-an-outage');
    expect([await open(gateways[0]!, token).status, await open(gateways[0]!, token).status]).toEqual([200, 200]);
    redis.pause();
    try {
      const refused = await send(gateways[0]!.url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET', headers: { Authorization: token } });
      expect(refused.status).toBe(429);
      expect(refused.json()).toMatchObject({ error_code: 'GW.2003' });
    } finally {
      redis.resume();
    }
  });

  it('counts per instance without Redis', async () => {
    await start({});
    const token = tokenOf('local-only');
    expect(await Promise.all([open(gateways[0]!, token), open(gateways[0]!, token), open(gateways[1]!, token), open(gateways[1]!, token)].map((s) => s.status))).toEqual([200, 200, 200, 200]);
    expect(await open(gateways[0]!, token).status).toBe(429);
  });
});
