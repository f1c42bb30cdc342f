import { Cluster, Redis } from 'ioredis';
import type { Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { startRedis, startRedisCluster, type RedisClusterProcess, type RedisProcess } from '../support/redis';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { clearOfWindowEdge } from '../support/windowEdge';
import { startSharedGateways, type RedisTarget, type SharedGateways } from './sharedGateways';

/**
 * These tests count what the instances share through Redis. A command slower than the 250 ms default timeout, which a
 * loaded 2-core machine can produce, is answered from the instance's own memory (RATE_LIMIT_ON_STORE_ERROR=local) and
 * would test the failover instead (a budget of 10 let 11 through at a load average of 12), so the timeout is raised.
 */
const PATIENT_REDIS = { REDIS_COMMAND_TIMEOUT_MS: '5000' };

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
let projectCounter = 0;
const freshProject = () => `${(++projectCounter).toString(16).padStart(8, '0')}${'cd'.repeat(12)}`;

interface Backend {
  target: RedisTarget;
  client(): Redis | Cluster;
  stop(): Promise<void>;
}

const standalone = async (): Promise<Backend> => {
  const redis: RedisProcess = await startRedis();
  return { target: { url: redis.url }, client: () => new Redis(redis.url), stop: () => redis.stop() };
};

const cluster = async (): Promise<Backend> => {
  const redis: RedisClusterProcess = await startRedisCluster();
  return { target: { clusterNodes: redis.nodes }, client: () => new Cluster(redis.nodes), stop: () => redis.stop() };
};

/** Every key with a prefix, on every master of a cluster. */
const keysOf = async (client: Redis | Cluster, pattern: string): Promise<string[]> => {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  return (await Promise.all(nodes.map((node) => node.keys(pattern)))).flat();
};

describe.each([
  ['a standalone Redis', standalone],
  ['a three-master Redis Cluster', cluster],
])('three gateway instances sharing %s', (_name, startBackend) => {
  let backend: Backend;
  let shared: SharedGateways;
  let simulator: Simulator;

  beforeAll(async () => {
    backend = await startBackend();
    shared = await startSharedGateways(3, backend.target, { ...PATIENT_REDIS, RATE_LIMIT_MAX: '10', RATE_LIMIT_WINDOW_MS: '60000' });
    simulator = shared.simulator;
  }, 30_000);
  afterAll(async () => {
    await shared.stop();
    await backend.stop();
  });

  const callVia = (instance: number, token: string, project = PROJECT) =>
    send(shared.gateways[instance % 3]!.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: bearer(token) }, body });

  it('30 requests from one caller, round-robin, give exactly 10 successes', async () => {
    const token = signToken({ sub: `rr-${Math.random()}`, projects: ['*'] });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) statuses.push((await callVia(i, token)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(shared.metrics.reduce((sum, m) => sum + m.count('limiter_rejection:caller'), 0)).toBe(20);
  });

  it("the admin's view of a caller is exact across instances: its usage, and its requests among the top callers (refusals included)", async () => {
    await clearOfWindowEdge(60_000);
    const sub = `top/${Math.random()}`;
    const token = signToken({ sub, projects: ['*'] });
    for (let i = 0; i < 12; i += 1) await callVia(i, token);
    const reader = { Authorization: bearer(signToken({ sub: 'ops', scope: 'gateway:admin:read' })) };
    const usage = await send(shared.gateways[2]!.url, `/admin/callers/${encodeURIComponent(sub)}/usage`, { method: 'GET', headers: reader });
    expect(usage.json()).toMatchObject({ sub, tier: 'caller', limits: [{ name: 'caller', limit: 10, remaining: 0 }] });
    const top = await send(shared.gateways[1]!.url, '/admin/usage?top=100', { method: 'GET', headers: reader });
    expect(top.json<{ callers: unknown[] }>().callers).toContainEqual({ sub, tier: 'caller', requests: 12 });
  });

  it('a project job budget is exact across instances: 20 concurrent one-job requests, budget 10, 10 pass', async () => {
    const budgeted = await startSharedGateways(3, backend.target, { ...PATIENT_REDIS, PROJECT_JOB_BUDGET: '10', RATE_LIMIT_MAX: '1000' });
    try {
      const project = freshProject();
      const token = signToken({ sub: `budget-${Math.random()}`, projects: [project] });
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          send(budgeted.gateways[i % 3]!.url, `/v3/${project}/jobs/batch-precheck`, {
            headers: { Authorization: bearer(token) },
            body: { jobs: [{ job_id: `${String(i).padStart(8, '0')}-88ad-43c8-811c-1268453jb101`, precheck_mode: 'forStartJob' }] },
          }),
        ),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      expect(new Set(responses.filter((r) => r.status === 429).map((r) => r.json().error_code))).toEqual(new Set(['GW.2002']));
    } finally {
      await budgeted.stop();
    }
  }, 30_000);

  it('an Idempotency-Key holds across instances: the repeat on another instance is replayed, DRS called once', async () => {
    const token = signToken({ sub: `idem-${Math.random()}`, projects: ['*'] });
    const before = simulator.stats.drsRequests;
    const post = (instance: number) =>
      send(shared.gateways[instance]!.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer(token), 'Idempotency-Key': 'shared-key-1' }, body });
    const first = await post(0);
    const second = await post(1);
    const third = await post(2);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect([second.headers.get('idempotency-replayed'), third.headers.get('idempotency-replayed')]).toEqual(['true', 'true']);
    expect(second.text).toBe(first.text);
    expect(simulator.stats.drsRequests - before).toBe(1);
  });

  it('200 concurrent cold requests across the three make exactly one IAM call', async () => {
    const project = freshProject();
    const callers = Array.from({ length: 20 }, (_, i) => signToken({ sub: `cold-${i}-${Math.random()}`, projects: [project] }));
    const before = simulator.stats.iamTokenRequests;
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => callVia(i, callers[i % 20]!, project)));
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(simulator.stats.iamTokenRequests - before).toBe(1);
    // The other instances waited for the lock-holder's token, or found it in Redis.
    expect(shared.metrics.reduce((sum, m) => sum + m.count('lock_wait') + m.count('token_cache_hit:redis'), 0)).toBeGreaterThanOrEqual(2);
  });

  it('stores IAM tokens in Redis encrypted: no stored value contains the token', async () => {
    const project = freshProject();
    const token = signToken({ sub: `enc-${Math.random()}`, projects: [project] });
    expect((await callVia(0, token, project)).status).toBe(200);
    const iamToken = simulator.stats.requests.at(-1)?.headers['x-auth-token'] as string;
    expect(iamToken).toMatch(/^MII/);
    const client = backend.client();
    await new Promise((resolve) => client.once('ready', resolve));
    try {
      const keys = await keysOf(client, 'gw:iam:*');
      expect(keys.length).toBeGreaterThan(0);
      const values = await Promise.all(keys.map((k) => (k.endsWith(':lock') ? Promise.resolve('') : client.get(k))));
      for (const value of values) {
        expect(value).not.toContain(iamToken);
        expect(value).not.toContain(iamToken.slice(0, 40));
      }
      expect(values.some((v) => v?.includes(':v1.'))).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('POST /admin/iam-tokens/invalidate on one instance drops the shared tokens in Redis', async () => {
    const project = freshProject();
    expect((await callVia(0, signToken({ sub: `inv-${Math.random()}`, projects: [project] }), project)).status).toBe(200);
    const admin = signToken({ sub: 'ops', scope: 'gateway:admin' });
    const res = await send(shared.gateways[1]!.url, '/admin/iam-tokens/invalidate', { headers: { Authorization: bearer(admin) } });
    expect(res.status).toBe(200);
    expect(res.json<{ dropped: { shared: number } }>().dropped.shared).toBeGreaterThanOrEqual(1);
    const client = backend.client();
    await new Promise((resolve) => client.once('ready', resolve));
    try {
      expect((await keysOf(client, 'gw:iam:*')).filter((k) => !k.endsWith(':lock'))).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('an instance with a cold memory cache takes the token from Redis instead of IAM', async () => {
    const project = freshProject();
    const token = signToken({ sub: `warm-${Math.random()}`, projects: [project] });
    const before = simulator.stats.iamTokenRequests;
    expect((await callVia(0, token, project)).status).toBe(200);
    expect((await callVia(1, token, project)).status).toBe(200);
    expect((await callVia(2, token, project)).status).toBe(200);
    expect(simulator.stats.iamTokenRequests - before).toBe(1);
    expect(shared.metrics[1]!.count('token_cache_hit:redis')).toBeGreaterThanOrEqual(1);
    expect((await callVia(1, token, project)).status).toBe(200);
    expect(shared.metrics[1]!.count('token_cache_hit:memory')).toBeGreaterThanOrEqual(1);
  });
});

describe('short-lived IAM tokens under continuous load across three instances', () => {
  let backend: Backend;
  let shared: SharedGateways;

  beforeAll(async () => {
    backend = await standalone();
    shared = await startSharedGateways(3, backend.target, { RATE_LIMIT_MAX: '100000', IP_RATE_LIMIT_MAX: '100000' }, { tokenTtlMs: 3_000 });
  }, 30_000);
  afterAll(async () => {
    await shared.stop();
    await backend.stop();
  });

  it('refreshes before expiry: every request succeeds first time, and IAM sees no burst', async () => {
    const token = signToken({ sub: 'steady', projects: ['*'] }, { expiresIn: 600 });
    const until = Date.now() + 7_000;
    let sent = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (worker) => {
        while (Date.now() < until) {
          const res = await send(shared.gateways[worker % 3]!.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: bearer(token) }, body: { jobs: [JOB] } });
          sent += 1;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    expect(Object.fromEntries(statuses)).toEqual({ 200: sent });
    // A replay after an expired-token refusal would show as more DRS requests than requests sent.
    expect(shared.simulator.stats.drsRequests).toBe(sent);
    // Tokens live 3 s and are refreshed at half-life: about one IAM call per 1.5 s for all instances together.
    expect(shared.simulator.stats.iamTokenRequests).toBeGreaterThanOrEqual(3);
    expect(shared.simulator.stats.iamTokenRequests).toBeLessThanOrEqual(10);
  }, 20_000);
});
