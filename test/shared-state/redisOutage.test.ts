import { send, type Received } from '../support/http';
import { startRedis, startRedisCluster, type RedisClusterProcess, type RedisProcess } from '../support/redis';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { startSharedGateways, type SharedGateways } from './sharedGateways';
import { waitFor } from '../support/eventually';

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const COMMAND_TIMEOUT_MS = 250;
/** What one request may take beyond the Redis command bound: simulator and gateway work on a loaded 2-core machine. */
const NORMAL_LATENCY_MS = 750;
let callerCounter = 0;

const call = (shared: SharedGateways, instance: number, token = signToken({ sub: `load-${++callerCounter}`, projects: ['*'] }), project = PROJECT) =>
  send(shared.gateways[instance % shared.gateways.length]!.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: bearer(token) }, body });

interface Sample {
  status: number;
  code?: string;
  ms: number;
}

/** Runs `workers` request loops for `durationMs`, calling `midway` once in the middle. */
const loadWith = async (shared: SharedGateways, durationMs: number, midway: () => Promise<void>): Promise<Sample[]> => {
  const samples: Sample[] = [];
  const until = Date.now() + durationMs;
  const event = new Promise<void>((resolve) => setTimeout(() => void midway().then(resolve), durationMs / 3));
  await Promise.all(
    [0, 1, 2, 3].map(async (worker) => {
      while (Date.now() < until) {
        const started = Date.now();
        const res: Received = await call(shared, worker);
        samples.push({ status: res.status, code: res.status >= 400 ? res.json().error_code as string : undefined, ms: Date.now() - started });
      }
    }),
  );
  await event;
  return samples;
};

describe.each(['local', 'open', 'closed'] as const)('Redis killed mid-load with RATE_LIMIT_ON_STORE_ERROR=%s', (policy) => {
  let redis: RedisProcess;
  let shared: SharedGateways;

  beforeAll(async () => {
    redis = await startRedis();
    shared = await startSharedGateways(3, { url: redis.url }, { RATE_LIMIT_ON_STORE_ERROR: policy, RATE_LIMIT_MAX: '10', IP_RATE_LIMIT_MAX: '100000', REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) });
  }, 30_000);
  afterAll(async () => {
    await shared.stop();
    await redis.stop();
  });

  it('keeps answering within the command timeout, as the policy says, and resumes shared state after a restart', async () => {
    expect((await call(shared, 0)).status).toBe(200);
    const samples = await loadWith(shared, 3_000, () => redis.kill());
    const slowest = Math.max(...samples.map((s) => s.ms));
    expect(slowest).toBeLessThan(COMMAND_TIMEOUT_MS + NORMAL_LATENCY_MS);
    const failures = samples.filter((s) => s.status >= 500);
    if (policy === 'closed') {
      expect(failures.length).toBeGreaterThan(0);
      expect(new Set(failures.map((s) => `${s.status} ${s.code}`))).toEqual(new Set(['503 GW.5030']));
    } else {
      expect(failures).toEqual([]);
    }
    const ready = await send(shared.gateways[0]!.url, '/readyz', { method: 'GET' });
    expect(ready.json()).toMatchObject({ status: 'ready', dependencies: { redis: 'down' } });
    expect(shared.metrics.reduce((sum, m) => sum + m.count('store_error:rate-limit'), 0)).toBeGreaterThan(0);
    if (policy !== 'closed') {
      // Without Redis the token cache falls back to the instance's own memory and direct IAM fetches.
      const before = shared.simulator.stats.iamTokenRequests;
      expect((await call(shared, 0, undefined, 'deadbeefdeadbeefdeadbeefdeadbeef')).status).toBe(200);
      expect(shared.simulator.stats.iamTokenRequests - before).toBe(1);
      expect(shared.metrics[0]!.count('store_error:token-cache')).toBeGreaterThan(0);
    }

    await redis.restart();
    await Promise.all(shared.gateways.map((g) => waitFor(() => g.redis?.status() === 'up', 10_000)));

    // Shared limits again, on a Redis whose script cache is empty: exactly 10 of 30 across the instances.
    const token = signToken({ sub: `after-restart-${policy}`, projects: ['*'] });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) statuses.push((await call(shared, i, token)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);

    // The shared token cache too: a new project costs one IAM call however many instances use it.
    const project = 'feedfacefeedfacefeedfacefeedface';
    const before = shared.simulator.stats.iamTokenRequests;
    for (let i = 0; i < 3; i += 1) expect((await call(shared, i, undefined, project)).status).toBe(200);
    expect(shared.simulator.stats.iamTokenRequests - before).toBe(1);
  }, 30_000);
});

describe('a Redis Cluster master killed mid-load (RATE_LIMIT_ON_STORE_ERROR=local)', () => {
  let cluster: RedisClusterProcess;
  let shared: SharedGateways;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    shared = await startSharedGateways(3, { clusterNodes: cluster.nodes }, { RATE_LIMIT_MAX: '10', IP_RATE_LIMIT_MAX: '100000', REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) });
  }, 30_000);
  afterAll(async () => {
    await shared.stop();
    await cluster.stop();
  });

  it('keeps answering without 5xx within the command timeout, and shared limits and tokens resume after the node returns', async () => {
    expect((await call(shared, 0)).status).toBe(200);
    const samples = await loadWith(shared, 3_000, () => cluster.killNode(0));
    expect(samples.filter((s) => s.status >= 500)).toEqual([]);
    expect(Math.max(...samples.map((s) => s.ms))).toBeLessThan(COMMAND_TIMEOUT_MS + NORMAL_LATENCY_MS);

    await cluster.restartNode(0);
    // The cluster clients notice the node is back at their next slot refresh; exactness is the proof.
    let exact = false;
    for (let attempt = 0; attempt < 20 && !exact; attempt += 1) {
      const token = signToken({ sub: `cluster-after-restart-${attempt}`, projects: ['*'] });
      const statuses: number[] = [];
      for (let i = 0; i < 30; i += 1) statuses.push((await call(shared, i, token)).status);
      exact = statuses.filter((s) => s === 200).length === 10;
      if (!exact) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(exact).toBe(true);
    const before = shared.simulator.stats.iamTokenRequests;
    for (let i = 0; i < 3; i += 1) expect((await call(shared, i, undefined, 'c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0')).status).toBe(200);
    expect(shared.simulator.stats.iamTokenRequests - before).toBe(1);
  }, 60_000);
});
