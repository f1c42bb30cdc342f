import { Redis } from 'ioredis';
import { send } from '../support/http';
import { startRedis, type RedisProcess } from '../support/redis';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { startSharedGateways, type SharedGateways } from './sharedGateways';

/** Redis counts one "read" per batch of bytes it reads from a client (one per round trip) and calls per command. */
const stats = async (redis: Redis): Promise<{ reads: number; evalsha: number; get: number; set: number }> => {
  const info = `${await redis.info('stats')}\n${await redis.info('commandstats')}`;
  const field = (pattern: string) => Number(new RegExp(pattern, 'm').exec(info)?.[1] ?? 0);
  return {
    reads: field('^total_reads_processed:(\\d+)'),
    evalsha: field('^cmdstat_evalsha:calls=(\\d+)'),
    get: field('^cmdstat_get:calls=(\\d+)'),
    set: field('^cmdstat_set:calls=(\\d+)'),
  };
};

describe('Redis cost of a warm request', () => {
  let redis: RedisProcess;
  let shared: SharedGateways;
  let observer: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    shared = await startSharedGateways(1, { url: redis.url }, { RATE_LIMIT_MAX: '100000', IP_RATE_LIMIT_MAX: '100000' });
    observer = new Redis(redis.url);
  }, 30_000);
  afterAll(async () => {
    observer.disconnect();
    await shared.stop();
    await redis.stop();
  });

  it('is one round trip carrying the two limiter scripts, and nothing for the IAM token', async () => {
    const token = bearer(signToken({ sub: 'round-trips' }));
    const call = () => send(shared.gateways[0]!.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: token }, body: { jobs: [JOB] } });
    for (let i = 0; i < 3; i += 1) expect((await call()).status).toBe(200);
    const requests = 50;
    const before = await stats(observer);
    for (let i = 0; i < requests; i += 1) expect((await call()).status).toBe(200);
    const after = await stats(observer);
    expect(after.evalsha - before.evalsha).toBe(2 * requests);
    expect(after.get - before.get).toBe(0);
    expect(after.set - before.set).toBe(0);
    // The observer's own two INFO calls are two reads.
    const roundTrips = after.reads - before.reads - 2;
    expect(roundTrips).toBeGreaterThanOrEqual(requests);
    expect(roundTrips).toBeLessThanOrEqual(requests + 2);
  });

  it('costs nothing once the IP was refused: the gate answers 429 without a token check or a Redis command', async () => {
    // The first test's requests already count against 127.0.0.1 in the shared store.
    await observer.flushall();
    const strict = await startSharedGateways(1, { url: redis.url }, { IP_RATE_LIMIT_MAX: '3', IP_RATE_LIMIT_WINDOW_MS: '60000' });
    try {
      const call = () => send(strict.gateways[0]!.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: 'Bearer not-a-token' }, body: { jobs: [JOB] } });
      for (let i = 0; i < 3; i += 1) expect((await call()).status).toBe(401);
      expect((await call()).status).toBe(429);
      const before = await stats(observer);
      for (let i = 0; i < 20; i += 1) {
        const refused = await call();
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const after = await stats(observer);
      expect(after.evalsha - before.evalsha).toBe(0);
      expect(after.reads - before.reads - 2).toBe(0);
    } finally {
      await strict.stop();
    }
  });
});
