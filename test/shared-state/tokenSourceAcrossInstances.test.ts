// The access line's token source across two instances sharing Redis: IAM on the first, the shared copy on the second.
import { createLogger } from '../../src/logger';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startRedis, type RedisProcess } from '../support/redis';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT } from '../support/tokens';
import { waitFor } from '../support/eventually';

describe('token source in the access line, two instances and one Redis', () => {
  let redis: RedisProcess;
  let simulator: Simulator;
  const instances: Array<{ gateway: TestGateway; lines: string[] }> = [];

  beforeAll(async () => {
    redis = await startRedis();
    simulator = await startSimulator();
    for (let i = 0; i < 2; i += 1) {
      const { sink, lines } = logLines();
      const gateway = await startTestGateway(
        { REDIS_URL: redis.url, TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url },
        { logger: createLogger('info', sink) },
      );
      await waitFor(() => gateway.redis?.status() === 'up', 5_000);
      instances.push({ gateway, lines });
    }
  });
  afterAll(async () => {
    await Promise.all(instances.map(({ gateway }) => gateway.stop()));
    await simulator.stop();
    await redis.stop();
  });

  const tokenSourceOf = async (instance: { gateway: TestGateway; lines: string[] }, id: string): Promise<unknown> => {
    const res = await send(instance.gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, {
      headers: { Authorization: bearer(), 'X-Request-Id': id },
      body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] },
    });
    expect(res.status).toBe(200);
    const line = instance.lines.map((l) => JSON.parse(l) as { msg?: string; req?: { id?: string }; tokenSource?: string }).find((l) => l.msg === 'request completed' && l.req?.id === id);
    return line?.tokenSource;
  };

  it('is iam where the token was fetched, redis where the other instance found it shared, then memory on each', async () => {
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    expect(await tokenSourceOf(first, 'source-1')).toBe('iam');
    expect(await tokenSourceOf(second, 'source-2')).toBe('redis');
    expect(await tokenSourceOf(second, 'source-3')).toBe('memory');
    expect(await tokenSourceOf(first, 'source-4')).toBe('memory');
    expect(simulator.stats.iamTokenRequests).toBe(1);
  });
});
