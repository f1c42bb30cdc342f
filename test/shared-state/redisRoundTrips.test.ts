import { Redis } from 'ioredis';
import { createTokenVerifier, type TokenVerifier } from '../../src/auth';
import { systemClock } from '../../src/clock';
import { startSimulator } from '../../src/simulator/startSimulator';
import { EVENTS_KEY } from '../../src/telemetry/RecentEvents';
import { send } from '../support/http';
import { startRedis, type RedisProcess } from '../support/redis';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken, TEST_SECRET } from '../support/tokens';
import { startSharedGateways, type SharedGateways } from './sharedGateways';
import { waitFor } from '../support/eventually';

/** Redis counts one "read" per batch of bytes it reads from a client (one per round trip) and calls per command. */
const stats = async (redis: Redis): Promise<{ reads: number; scripts: number; get: number; set: number; ping: number; zincrby: number; lpush: number }> => {
  const info = `${await redis.info('stats')}\n${await redis.info('commandstats')}`;
  const field = (pattern: string) => Number(new RegExp(pattern, 'm').exec(info)?.[1] ?? 0);
  return {
    reads: field('^total_reads_processed:(\\d+)'),
    // Scripts run: a script's first call after start-up (the first events batch, which a slow run can send inside
    // the measured requests) fails with NOSCRIPT and is sent again as EVAL, so count EVAL and leave failed EVALSHA out.
    scripts:
      field('^cmdstat_evalsha:calls=(\\d+)') - field('^cmdstat_evalsha:.*failed_calls=(\\d+)') + field('^cmdstat_eval:calls=(\\d+)'),
    get: field('^cmdstat_get:calls=(\\d+)'),
    set: field('^cmdstat_set:calls=(\\d+)'),
    // The connection's heartbeat PINGs once a second; a slow run can take one in between the two readings.
    ping: field('^cmdstat_ping:calls=(\\d+)'),
    // Called inside scripts: the top-callers count, and the recent-events batches.
    zincrby: field('^cmdstat_zincrby:calls=(\\d+)'),
    lpush: field('^cmdstat_lpush:calls=(\\d+)'),
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

  it("is one round trip carrying the two limiter scripts, the caller's counting the request among the top callers, and nothing for the IAM token", async () => {
    const token = bearer(signToken({ sub: 'round-trips' }));
    const call = () => send(shared.gateways[0]!.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: token }, body: { jobs: [JOB] } });
    for (let i = 0; i < 3; i += 1) expect((await call()).status).toBe(200);
    const requests = 50;
    const before = await stats(observer);
    for (let i = 0; i < requests; i += 1) expect((await call()).status).toBe(200);
    const after = await stats(observer);
    // The audit lines go to the shared events in batches of their own, after the answers: one script per batch.
    const eventBatches = after.lpush - before.lpush;
    expect(after.zincrby - before.zincrby).toBe(requests);
    expect(after.scripts - before.scripts).toBe(2 * requests + eventBatches);
    expect(after.get - before.get).toBe(0);
    expect(after.set - before.set).toBe(0);
    // The observer's own two INFO calls are two reads; a batch of events may share a request's write, or be its own.
    const roundTrips = after.reads - before.reads - 2;
    expect(roundTrips).toBeGreaterThanOrEqual(requests);
    expect(roundTrips).toBeLessThanOrEqual(requests + eventBatches + 2);
    // The last batch leaves EVENTS_FLUSH_MS after the last answer: the next test's window must not catch it.
    await waitFor(async () => (await observer.llen(EVENTS_KEY)) === 3 + requests, 5_000);
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
      expect(after.scripts - before.scripts).toBe(0);
      expect(after.reads - before.reads - 2 - (after.ping - before.ping)).toBe(0);
    } finally {
      await strict.stop();
    }
  });

  it('refuses every address of a refused IPv6 /56 at the gate: no token check and no Redis command for a rotated address', async () => {
    await observer.flushall();
    const real = createTokenVerifier({ secret: TEST_SECRET, clockToleranceMs: 0, clock: systemClock });
    let verifications = 0;
    const verifier: TokenVerifier = {
      verify: (authorization) => {
        verifications += 1;
        return real.verify(authorization);
      },
    };
    const simulator = await startSimulator();
    const gateway = await startTestGateway(
      { DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, REDIS_URL: redis.url, TRUST_PROXY: '1', IP_RATE_LIMIT_MAX: '3', IP_RATE_LIMIT_WINDOW_MS: '60000' },
      { verifier },
    );
    try {
      await waitFor(() => gateway.redis?.status() === 'up', 5_000);
      const from = (address: string) =>
        send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: 'Bearer not-a-token', 'X-Forwarded-For': address }, body: { jobs: [JOB] } });
      for (let i = 0; i < 3; i += 1) expect((await from('2001:db8:1:100::1')).status).toBe(401);
      expect((await from('2001:db8:1:100::1')).status).toBe(429);

      const checksBefore = verifications;
      const before = await stats(observer);
      // Other hosts of the same /56: 2001:db8:1:100:: to 2001:db8:1:1ff:ffff:...
      for (const address of ['2001:db8:1:100::2', '2001:db8:1:1ff::1', '2001:db8:1:1ab:1234:5678:9abc:def0', '2001:db8:1:180::ffff']) {
        const refused = await from(address);
        expect(refused.status).toBe(429);
        expect(refused.json().error_code).toBe('GW.2001');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const after = await stats(observer);
      expect(after.scripts - before.scripts).toBe(0);
      expect(verifications - checksBefore).toBe(0);

      // The next /56 is another client: it gets its own token check and its own count.
      expect((await from('2001:db8:1:200::1')).status).toBe(401);
      expect(verifications - checksBefore).toBe(1);
    } finally {
      await gateway.stop();
      await simulator.stop();
    }
  });
});
