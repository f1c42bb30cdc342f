// A rate-limit tier is exact across instances: its own Redis counters, apart from the default tier's.
import { Redis } from 'ioredis';
import { send } from '../support/http';
import { startRedis, type RedisProcess } from '../support/redis';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { startSharedGateways, type SharedGateways } from './sharedGateways';

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };

describe('a rate-limit tier across three instances sharing Redis', () => {
  let redis: RedisProcess;
  let shared: SharedGateways;

  beforeAll(async () => {
    redis = await startRedis();
    shared = await startSharedGateways(3, { url: redis.url }, { RATE_LIMIT_MAX: '4', RATE_LIMIT_WINDOW_MS: '60000' }, {}, {
      rateLimit: { tiers: [{ name: 'services', scope: 'drs:precheck:bulk', max: 12 }] },
    });
  }, 30_000);
  afterAll(async () => {
    await shared.stop();
    await redis.stop();
  });

  const callVia = (instance: number, token: string) =>
    send(shared.gateways[instance % 3]!.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer(token) }, body });

  it('36 round-robin requests of a tier caller give exactly its 12, while a default caller keeps the default 4', async () => {
    const bulk = signToken({ sub: `bulk-${Math.random()}`, scope: 'drs:precheck drs:precheck:bulk', projects: ['*'] });
    const plain = signToken({ sub: `plain-${Math.random()}`, projects: ['*'] });
    const bulkStatuses: number[] = [];
    for (let i = 0; i < 36; i += 1) bulkStatuses.push((await callVia(i, bulk)).status);
    const plainStatuses: number[] = [];
    for (let i = 0; i < 12; i += 1) plainStatuses.push((await callVia(i, plain)).status);

    expect(bulkStatuses.slice(0, 12)).toEqual(Array(12).fill(200));
    expect(bulkStatuses.filter((s) => s === 429)).toHaveLength(24);
    expect(plainStatuses.filter((s) => s === 200)).toHaveLength(4);
    expect(shared.metrics.reduce((sum, m) => sum + m.count('limiter_rejection:services'), 0)).toBe(24);
    expect(shared.metrics.reduce((sum, m) => sum + m.count('limiter_rejection:caller'), 0)).toBe(8);

    const client = new Redis(redis.url);
    try {
      expect(await client.keys('gw:rl:tier:services:*')).toHaveLength(1);
      expect(await client.keys('gw:rl:caller:*')).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });
});
