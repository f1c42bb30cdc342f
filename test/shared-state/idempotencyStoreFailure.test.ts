// Idempotency-Key when Redis fails, against a real redis-server: stopped, or refusing only the idempotency keys.
import type { Simulator } from '../../src/simulator/startSimulator';
import { CountingMetrics } from '../support/CountingMetrics';
import { send } from '../support/http';
import { sendRedisCommand, startRedis, type RedisProcess } from '../support/redis';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { waitFor } from '../support/eventually';

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const token = bearer(signToken({ sub: 'idem-outage-caller', projects: ['*'] }, { expiresIn: 3600 }));
let keyCounter = 0;
const newKey = () => `outage-${++keyCounter}`;

/**
 * A generous command timeout: a stopped Redis fails every command at once anyway (no offline queue), and a slow but
 * live one on a loaded machine must not look like an outage here.
 */
const startGateway = (redisUrl: string, policy: 'open' | 'closed', metrics: CountingMetrics): Promise<TestGateway> =>
  startTestGateway(
    { REDIS_URL: redisUrl, TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, RATE_LIMIT_ON_STORE_ERROR: policy, RATE_LIMIT_MAX: '1000', REDIS_COMMAND_TIMEOUT_MS: '2000' },
    { metrics },
  );

interface Running {
  redis: RedisProcess;
  gateway: TestGateway;
  simulator: Simulator;
  metrics: CountingMetrics;
}

/** Starts Redis and one gateway for the describe block; `prepare` may set Redis up and returns the URL the gateway uses. */
const withRedisAndGateway = (policy: 'open' | 'closed', prepare: (redis: RedisProcess) => Promise<string> = async (redis) => redis.url): Running => {
  const running = { metrics: new CountingMetrics() } as Running;
  beforeAll(async () => {
    running.redis = await startRedis();
    running.gateway = await startGateway(await prepare(running.redis), policy, running.metrics);
    running.simulator = running.gateway.simulator as Simulator;
    await waitFor(() => running.gateway.redis?.status() === 'up', 5_000);
  });
  afterAll(async () => {
    await running.gateway.stop();
    await running.redis.stop();
  });
  return running;
};

const precheck = (gateway: TestGateway, key: string) =>
  send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token, 'Idempotency-Key': key }, body });

describe.each(['open', 'closed'] as const)('Idempotency-Key while redis-server is stopped (RATE_LIMIT_ON_STORE_ERROR=%s)', (policy) => {
  const running = withRedisAndGateway(policy);

  it(policy === 'open' ? 'runs every request, repeats included, without the guarantee; replays again once Redis is back' : 'answers 503 GW.5030 without reaching DRS; replays again once Redis is back', async () => {
    const { redis, gateway, simulator, metrics } = running;
    const key = newKey();
    expect((await precheck(gateway, key)).status).toBe(200);
    expect((await precheck(gateway, key)).headers.get('idempotency-replayed')).toBe('true');
    expect(simulator.stats.drsRequests).toBe(1);

    await redis.kill();
    await waitFor(() => gateway.redis?.status() === 'down', 5_000);
    const during = [await precheck(gateway, key), await precheck(gateway, newKey())];
    if (policy === 'open') {
      for (const res of during) {
        expect(res.status).toBe(200);
        expect(res.headers.get('idempotency-replayed')).toBeNull();
      }
      expect(simulator.stats.drsRequests).toBe(3);
      expect(metrics.count('store_error:idempotency')).toBe(2);
    } else {
      for (const res of during) {
        expect(res.status).toBe(503);
        expect(res.json().error_code).toBe('GW.5030');
        expect(res.headers.get('retry-after')).toBe('5');
      }
      expect(simulator.stats.drsRequests).toBe(1);
    }

    await redis.restart();
    await waitFor(() => gateway.redis?.status() === 'up', 10_000);
    const after = newKey();
    expect((await precheck(gateway, after)).status).toBe(200);
    expect((await precheck(gateway, after)).headers.get('idempotency-replayed')).toBe('true');
  }, 30_000);
});

describe.each(['open', 'closed'] as const)('Idempotency-Key while Redis refuses only the idempotency keys (RATE_LIMIT_ON_STORE_ERROR=%s)', (policy) => {
  const running = withRedisAndGateway(policy, async (redis) => {
    // Rate limits (with the top callers they count), tokens, budgets, progress and recent events keep working; every
    // idempotency command fails with NOPERM.
    await sendRedisCommand(redis.port, ['ACL', 'SETUSER', 'gw', 'on', '>gw-password', '~gw:rl:*', '~gw:top:*', '~gw:iam:*', '~gw:budget:*', '~gw:poll:*', '~gw:progress:*', '~gw:events', '&*', '+@all']);
    return `redis://gw:gw-password@127.0.0.1:${redis.port}`;
  });

  it(policy === 'open' ? 'runs the request and its repeat, each reaching DRS' : 'answers 503 GW.5030 from the idempotency check, the limiters having passed', async () => {
    const { gateway, simulator, metrics } = running;
    const key = newKey();
    const responses = [await precheck(gateway, key), await precheck(gateway, key)];
    expect(metrics.count('store_error:idempotency')).toBe(2);
    expect(metrics.count('store_error:rate-limit')).toBe(0);
    if (policy === 'open') {
      expect(responses.map((res) => res.status)).toEqual([200, 200]);
      expect(responses.map((res) => res.headers.get('idempotency-replayed'))).toEqual([null, null]);
      expect(simulator.stats.drsRequests).toBe(2);
    } else {
      expect(responses.map((res) => [res.status, res.json().error_code])).toEqual([
        [503, 'GW.5030'],
        [503, 'GW.5030'],
      ]);
      expect(simulator.stats.drsRequests).toBe(0);
    }
  });
});
