// An IAM token that is already expired when IAM issues it is an IAM failure: never sent to DRS, never fetched in a loop.
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import type { Simulator } from '../../src/simulator/startSimulator';
import { FakeClock } from '../support/fakeClock';
import { send } from '../support/http';
import { startRedis, type RedisProcess } from '../support/redis';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, signToken } from '../support/tokens';

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const EXPIRED_LOG = 'IAM issued a token that is already expired by the gateway clock; not using it (check the gateway and IAM clocks)';
let projectCounter = 0;
const freshProject = () => `${(++projectCounter).toString(16).padStart(8, '0')}${'cd'.repeat(12)}`;

describe.each(['memory', 'redis'] as const)('IAM issuing already-expired tokens (token cache: %s)', (level) => {
  const lines: Array<Record<string, unknown>> = [];
  const rawLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter((l) => l.length > 0)) {
        rawLines.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const clock = new FakeClock(Date.now());
  const token = signToken({ sub: 'expired-iam-tester', projects: ['*'] }, { expiresIn: 3600 });
  let redis: RedisProcess | undefined;
  let gateway: TestGateway;
  let simulator: Simulator;
  const call = (project: string) => send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: bearer(token) }, body });

  beforeAll(async () => {
    redis = level === 'redis' ? await startRedis() : undefined;
    const redisEnv: Record<string, string> = redis ? { REDIS_URL: redis.url, TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY } : {};
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '10000', ...redisEnv }, { clock, logger: createLogger('info', sink) });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(async () => {
    await gateway.stop();
    await redis?.stop();
  });
  beforeEach(() => {
    simulator.faults.clear();
    simulator.resetStats();
    lines.length = 0;
    rawLines.length = 0;
  });

  it.each([
    ['expires at the moment it is issued', 0],
    ['expired a minute before it was issued', -60_000],
  ])('a token that %s is 503 GW.3002 after one IAM call, with nothing sent to DRS', async (_name, ttlMs) => {
    simulator.faults.set({ iamTokenTtlMs: ttlMs });
    const res = await call(freshProject());
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ error_code: 'GW.3002', upstream: { status: 201 } });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(simulator.stats.iamTokenRequests).toBe(1);
    expect(simulator.stats.drsRequests).toBe(0);

    const logged = lines.filter((line) => line.msg === EXPIRED_LOG);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 40, expiresAt: expect.any(String), gatewayTime: new Date(clock.now()).toISOString(), behindMs: 0 - ttlMs });
    expect(rawLines.join('\n')).not.toMatch(/MII/);
  });

  it('each request asks IAM once, not in a loop, and a usable token afterwards serves at once', async () => {
    simulator.faults.set({ iamTokenTtlMs: 0 });
    const project = freshProject();
    for (let i = 0; i < 3; i += 1) expect((await call(project)).status).toBe(503);
    expect(simulator.stats.iamTokenRequests).toBe(3);
    expect(simulator.stats.drsRequests).toBe(0);

    simulator.faults.clear();
    expect((await call(project)).status).toBe(200);
    expect((await call(project)).status).toBe(200);
    expect(simulator.stats.iamTokenRequests).toBe(4);
    expect(simulator.stats.drsRequests).toBe(2);
  });
});
