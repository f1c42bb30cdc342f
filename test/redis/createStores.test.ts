// The store factory against a real redis-server: every store writes under the key names the instances share, and memory stands in without Redis.
import { createIdempotency } from '../../src/idempotency/createIdempotency';
import { MemoryProgressShare } from '../../src/progress/ProgressShare';
import { createStores } from '../../src/stores/createStores';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';
import { recordingLogger } from './recordingLogger';
import { useEmptyRedis } from './useEmptyRedis';

const KEY = Buffer.alloc(32, 7).toString('base64');
const USER = { domainName: 'acme', userName: 'drs-gateway' };
const PROJECT = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('createStores with Redis', () => {
  const clock = new FakeClock();
  const redis = useEmptyRedis();

  const build = (tokenCacheKey?: string) => {
    const logger = recordingLogger();
    const stores = createStores({ redis: redis.connection.client, tokenCacheKey, onStoreError: 'closed', clock, metrics: new CountingMetrics(), logger });
    return { stores, logger };
  };

  it('keeps every store under the Redis key names shared across instances', async () => {
    const { stores, logger } = build(KEY);
    const ip = stores.rateLimit('ip');
    const caller = stores.rateLimit('caller');
    if (!ip || !caller) throw new Error('expected Redis rate-limit stores');
    ip.init?.({ windowMs: 60_000 } as never);
    caller.init?.({ windowMs: 60_000 } as never);
    await ip.increment('203.0.113.7');
    await caller.increment('svc-a');
    await stores.jobBudget.run((store) => store.charge(PROJECT, 2, 10, 60_000), () => ({ allowed: true, resetInMs: 0 }));
    await createIdempotency({ stores: stores.idempotency, inFlightTtlMs: () => 30_000 }).begin({ sub: 'svc-a', key: 'k-1', projectId: PROJECT, body: {} });
    await stores.tokens(USER)?.put(PROJECT, { value: 'MII-token', expiresAt: clock.now() + 3_600_000, obtainedAt: clock.now() });
    await stores.progress.claim(PROJECT, ['job-1'], 3_000);
    await stores.progress.publish(PROJECT, [{ jobId: 'job-1', json: '{}' }], 3_000);
    ip.shutdown?.();
    caller.shutdown?.();

    const keys = await redis.connection.client.keys('*');
    expect(keys).toHaveLength(7);
    expect(keys).toEqual(
      expect.arrayContaining([
        'gw:rl:ip:203.0.113.7',
        'gw:rl:caller:svc-a',
        `gw:budget:${PROJECT}`,
        expect.stringMatching(/^gw:idem:\{[0-9a-f]{24}\}:k-1$/),
        expect.stringMatching(new RegExp(`^gw:iam:\\{[0-9a-f]{16}:${PROJECT}\\}$`)),
        `gw:poll:{${PROJECT}}:job-1`,
        `gw:progress:{${PROJECT}}:job-1`,
      ]),
    );
    expect(await redis.connection.client.get(`gw:budget:${PROJECT}`)).toBe('2');
    expect(logger.lines).toEqual([]);
  });

  it('keeps IAM tokens out of Redis without TOKEN_CACHE_KEY, and says so once', () => {
    const { stores, logger } = build(undefined);
    expect(stores.tokens(USER)).toBeUndefined();
    expect(logger.lines).toEqual([{ level: 'warn', obj: {}, msg: 'TOKEN_CACHE_KEY is not set: IAM tokens are cached per instance only, never in Redis' }]);
  });
});

describe('createStores without Redis', () => {
  it('leaves the limiters their own memory, keeps tokens in process, and runs budget, idempotency and progress in memory', async () => {
    const clock = new FakeClock();
    const logger = recordingLogger();
    const stores = createStores({ tokenCacheKey: KEY, onStoreError: 'closed', clock, metrics: new CountingMetrics(), logger });
    expect(stores.rateLimit('ip')).toBeUndefined();
    expect(stores.tokens(USER)).toBeUndefined();
    expect(stores.progress).toBeInstanceOf(MemoryProgressShare);
    expect(stores.jobBudget.shared).toBeUndefined();
    const charge = () => stores.jobBudget.run((store) => store.charge(PROJECT, 6, 10, 60_000), () => ({ allowed: true, resetInMs: 0 }));
    await expect(charge()).resolves.toEqual({ allowed: true, resetInMs: 60_000 });
    await expect(charge()).resolves.toEqual({ allowed: false, resetInMs: 60_000 });
    const idempotency = createIdempotency({ stores: stores.idempotency, inFlightTtlMs: () => 30_000 });
    const request = { sub: 'svc-a', key: 'k-1', projectId: PROJECT, body: {} };
    await expect(idempotency.begin(request)).resolves.toMatchObject({ kind: 'first' });
    await expect(idempotency.begin(request)).rejects.toMatchObject({ code: 'GW.0409' });
    expect(logger.lines).toEqual([]);
  });
});
