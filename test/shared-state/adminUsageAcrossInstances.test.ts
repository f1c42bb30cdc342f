// The admin usage routes on two instances sharing a real Redis: exact usage and budget, resets everywhere, top callers, open streams, shared events, bounded keys, and a Redis outage.
import { Redis } from 'ioredis';
import { MAX_COUNTED_CALLERS, RedisTopCallersStore } from '../../src/rate-limit/TopCallers';
import { MAX_EVENTS, RedisEventStore } from '../../src/telemetry/RecentEvents';
import type { CallerUsage } from '../support/callerUsage';
import { send, type Received } from '../support/http';
import { startRedis, type RedisProcess } from '../support/redis';
import { openSse, type LiveSse } from '../support/sse';
import { bearer, JOB, JOB_2, PROJECT, signToken } from '../support/tokens';
import { clearOfWindowEdge } from '../support/windowEdge';
import { startSharedGateways, type SharedGateways } from './sharedGateways';
import { eventually, waitFor } from '../support/eventually';

const SUB = 'svc/a b@x';
const ENCODED = encodeURIComponent(SUB);
const admin = bearer(signToken({ sub: 'ops-admin', scope: 'gateway:admin' }));
const reader = bearer(signToken({ sub: 'ops-reader', scope: 'gateway:admin:read' }));
const tokenOf = (sub: string, scope = 'drs:precheck') => bearer(signToken({ sub, scope, projects: [PROJECT] }));
const start = (jobs: string[]) => ({ jobs: jobs.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' })) });

describe('admin usage routes on two instances sharing Redis', () => {
  let redis: RedisProcess;
  let shared: SharedGateways;
  let observer: Redis;
  const streams: LiveSse[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    shared = await startSharedGateways(
      2,
      { url: redis.url },
      { RATE_LIMIT_MAX: '6', PROJECT_JOB_BUDGET: '6', IP_RATE_LIMIT_MAX: '100000' },
      { precheckDurationMs: 600_000 },
      { rateLimit: { tiers: [{ name: 'services', scope: 'drs:precheck:bulk', max: 20 }] } },
    );
    observer = new Redis(redis.url);
  }, 30_000);
  afterAll(async () => {
    for (const stream of streams) {
      stream.abort();
      await stream.ended;
    }
    observer.disconnect();
    await shared.stop();
    await redis.stop();
  });

  const via = (instance: number) => shared.gateways[instance % 2]!.url;
  const adminCall = (instance: number, path: string, method = 'GET', token = admin): Promise<Received> => send(via(instance), path, { method, headers: { Authorization: token } });
  const usageVia = async (instance: number, encodedSub = ENCODED): Promise<CallerUsage> => (await adminCall(instance, `/admin/callers/${encodedSub}/usage`, 'GET', reader)).json<CallerUsage>();
  const readResults = (instance: number, token: string) => send(via(instance), `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: token }, body: { jobs: [JOB] } });

  it('shows the exact usage of a URL-encoded sub on either instance, and a reset on one takes effect on both', async () => {
    const token = tokenOf(SUB);
    for (let i = 0; i < 4; i += 1) expect((await readResults(i, token)).status).toBe(200);
    const [first, second] = [await usageVia(0), await usageVia(1)];
    expect(first).toMatchObject({ sub: SUB, tier: 'caller', openStreams: 0, limits: [{ name: 'caller', limit: 6, windowMs: 60_000, remaining: 2 }] });
    expect(second.limits[0]?.remaining).toBe(2);
    expect(Math.abs((first.limits[0]?.resetMs ?? 0) - (second.limits[0]?.resetMs ?? 0))).toBeLessThan(5_000);

    for (let i = 0; i < 2; i += 1) expect((await readResults(i, token)).status).toBe(200);
    expect([(await readResults(0, token)).status, (await readResults(1, token)).status]).toEqual([429, 429]);

    expect((await adminCall(1, `/admin/callers/${ENCODED}/usage`, 'DELETE')).status).toBe(204);
    expect(await usageVia(0)).toEqual({ sub: SUB, tier: null, limits: [], openStreams: 0 });
    expect([(await readResults(0, token)).status, (await readResults(1, token)).status]).toEqual([200, 200]);
    expect((await usageVia(1)).limits[0]?.remaining).toBe(4);
  });

  it("names a caller's tier from the counter it is charged in, on either instance", async () => {
    const bulk = tokenOf('svc/bulk#1', 'drs:precheck drs:precheck:bulk');
    for (let i = 0; i < 3; i += 1) expect((await readResults(i, bulk)).status).toBe(200);
    const usage = await usageVia(1, encodeURIComponent('svc/bulk#1'));
    expect(usage).toMatchObject({ tier: 'services', limits: [{ name: 'services', limit: 20, remaining: 17 }] });
  });

  it("shows a project's job budget exactly on either instance, and a reset on one takes effect on both", async () => {
    const token = tokenOf('budget-spender');
    const budgetVia = async (instance: number) => (await adminCall(instance, `/admin/projects/${PROJECT}/budget`, 'GET', reader)).json<{ limit: number; remaining: number; resetMs: number }>();
    expect((await adminCall(0, `/admin/projects/${PROJECT}/budget`, 'DELETE')).status).toBe(204);
    expect((await send(via(0), `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: start([JOB, JOB_2]) })).status).toBe(200);
    expect((await send(via(1), `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: start([JOB, JOB_2]) })).status).toBe(200);
    const [first, second] = [await budgetVia(0), await budgetVia(1)];
    expect(first).toMatchObject({ limit: 6, remaining: 2 });
    expect(second).toMatchObject({ limit: 6, remaining: 2 });
    expect(first.resetMs).toBeGreaterThan(0);
    const refused = await send(via(1), `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: start([JOB, JOB_2, '140b5236-88ad-43c8-811c-1268453jb103']) });
    expect(refused.json()).toMatchObject({ error_code: 'GW.2002' });

    expect((await adminCall(0, `/admin/projects/${PROJECT}/budget`, 'DELETE')).status).toBe(204);
    expect(await budgetVia(1)).toEqual({ project_id: PROJECT, limit: 6, remaining: 6, resetMs: 0 });
    expect((await send(via(1), `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: token }, body: start([JOB, JOB_2]) })).status).toBe(200);
  });

  it('counts the top callers across instances, the same list on either', async () => {
    await clearOfWindowEdge(60_000);
    for (let i = 0; i < 5; i += 1) expect((await readResults(i, tokenOf('top-spread'))).status).toBe(200);
    expect((await readResults(1, tokenOf('top-single'))).status).toBe(200);
    const [first, second] = [(await adminCall(0, '/admin/usage?top=100', 'GET', reader)).json(), (await adminCall(1, '/admin/usage?top=100', 'GET', reader)).json()];
    expect(first).toEqual(second);
    const callers = (first as { callers: Array<{ sub: string; tier: string; requests: number }> }).callers;
    expect(callers).toContainEqual({ sub: 'top-spread', tier: 'caller', requests: 5 });
    expect(callers).toContainEqual({ sub: 'top-single', tier: 'caller', requests: 1 });
    expect((first as { windowMs: number }).windowMs).toBe(60_000);
  });

  it("counts a caller's open progress streams on every instance", async () => {
    const token = tokenOf('stream-watcher');
    expect((await send(via(0), `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: tokenOf('stream-starter') }, body: start([JOB]) })).status).toBe(200);
    for (const instance of [0, 1]) {
      const stream = openSse(`${via(instance)}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { Authorization: token });
      streams.push(stream);
      expect(await stream.status).toBe(200);
    }
    expect((await usageVia(1, 'stream-watcher')).openStreams).toBe(2);
    streams[0]?.abort();
    await streams[0]?.ended;
    expect((await eventually(() => usageVia(0, 'stream-watcher'), (usage) => usage.openStreams === 1)).openStreams).toBe(1);
  });

  it('shares the recent audit lines: a pre-check on one instance is among the events the other answers', async () => {
    const started = await send(via(0), `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: tokenOf('event-writer'), 'X-Request-Id': 'shared-event-1' }, body: { jobs: [JOB] } });
    expect(started.status).toBe(200);
    const find = async () => {
      const answer = (await adminCall(1, '/admin/events?limit=500', 'GET', reader)).json<{ shared: boolean; events: Array<{ requestId?: string; audit: string; caller: string }> }>();
      return { shared: answer.shared, line: answer.events.find((event) => event.requestId === 'shared-event-1') };
    };
    const found = await eventually(find, ({ line }) => line !== undefined);
    expect(found).toEqual({ shared: true, line: expect.objectContaining({ audit: 'precheck', caller: 'event-writer', action: 'batch-precheck-result' }) as unknown });
  });

  it('keeps Redis bounded: the events list at its cap, and each window of top callers capped and expiring', async () => {
    const events = new RedisEventStore(observer);
    await events.push(Array.from({ length: MAX_EVENTS + 100 }, (_, i) => JSON.stringify({ time: i, n: i })));
    expect(await observer.llen('gw:events')).toBe(MAX_EVENTS);
    expect((await events.read(2)).map((line) => (JSON.parse(line) as { n: number }).n)).toEqual([MAX_EVENTS + 99, MAX_EVENTS + 98]);

    const top = new RedisTopCallersStore(observer);
    const count = (member: string) => top.add({ key: 'gw:top:1000:7', member, ttlMs: 2_000 });
    await Promise.all(Array.from({ length: 3 }, () => count('caller heavy')));
    await Promise.all(Array.from({ length: MAX_COUNTED_CALLERS + 50 }, (_, i) => count(`caller one-off-${i}`)));
    expect(await observer.zcard('gw:top:1000:7')).toBe(MAX_COUNTED_CALLERS);
    expect(await top.top('gw:top:1000:7', 1)).toEqual([['caller heavy', 3]]);
    const ttl = await observer.pttl('gw:top:1000:7');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);
    for (const key of await observer.keys('gw:top:60000:*')) expect(await observer.pttl(key)).toBeGreaterThan(0);
  });

  it('while Redis is down: pre-checks still pass, events are the instance\'s own (shared: false), and usage is 503 GW.5030', async () => {
    await redis.kill();
    try {
      await waitFor(() => shared.gateways.every((g) => g.redis?.status() === 'down'), 5_000);
      const during = await send(via(0), `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: tokenOf('outage-caller'), 'X-Request-Id': 'during-outage' }, body: { jobs: [JOB] } });
      expect(during.status).toBe(200);
      const events = (await adminCall(0, '/admin/events', 'GET', reader)).json<{ shared: boolean; events: Array<{ requestId?: string }> }>();
      expect(events.shared).toBe(false);
      expect(events.events.some((event) => event.requestId === 'during-outage')).toBe(true);
      for (const path of [`/admin/callers/${ENCODED}/usage`, '/admin/usage', `/admin/projects/${PROJECT}/budget`]) {
        const res = await adminCall(0, path, 'GET', reader);
        expect({ path, status: res.status, code: res.json().error_code, retryAfter: res.headers.get('retry-after') }).toEqual({ path, status: 503, code: 'GW.5030', retryAfter: '5' });
      }
      expect((await adminCall(1, `/admin/callers/${ENCODED}/usage`, 'DELETE')).status).toBe(503);
    } finally {
      await redis.restart();
    }
    await waitFor(() => shared.gateways.every((g) => g.redis?.status() === 'up'), 10_000);
    expect((await adminCall(0, '/admin/events', 'GET', reader)).json<{ shared: boolean }>().shared).toBe(true);
  });
});
