import { send } from '../support/http';
import { startRedis, type RedisProcess } from '../support/redis';
import { readSse } from '../support/sse';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { startSharedGateways, type SharedGateways } from './sharedGateways';

const POLL_MS = 250;

describe('pre-check progress streams on three instances sharing Redis', () => {
  let redis: RedisProcess;
  let shared: SharedGateways;
  const token = bearer(signToken({ sub: 'multi-watcher', projects: [PROJECT] }));

  beforeAll(async () => {
    redis = await startRedis();
    shared = await startSharedGateways(3, { url: redis.url }, { PRECHECK_POLL_INTERVAL_MS: String(POLL_MS), RATE_LIMIT_MAX: '1000' }, { precheckDurationMs: 1_500 });
  }, 30_000);
  afterAll(async () => {
    await shared.stop();
    await redis.stop();
  });

  it('polls DRS for a job at most once per interval in all, and every stream sees it finish', async () => {
    await send(shared.gateways[0]!.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] } });
    shared.simulator.resetStats();
    const started = Date.now();
    const streams = await Promise.all(
      Array.from({ length: 9 }, (_, i) => readSse(`${shared.gateways[i % 3]!.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { Authorization: token })),
    );
    const elapsed = Date.now() - started;
    for (const stream of streams) expect(stream.events.at(-1)).toMatchObject({ event: 'done', data: { job_id: JOB, result: true } });
    const polls = shared.simulator.stats.drsRequestsByRoute['batch-precheck-result'] ?? 0;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(Math.ceil(elapsed / POLL_MS) + 1);
  });
});
