import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SCRAPE_MAX_AGE_MS } from '../../src/metrics/PromMetrics';
import type { DrsFault, IamFault } from '../../src/simulator/faults';
import type { Simulator } from '../../src/simulator/startSimulator';
import { FakeClock } from '../support/fakeClock';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const UPSTREAM_TIMEOUT_MS = 800;
const IAM_TIMEOUT_MS = 600;
let projectCounter = 0;
/** A project nobody has fetched a token for yet, so IAM is asked. */
const freshProject = () => `${(++projectCounter).toString(16).padStart(8, '0')}${'ab'.repeat(12)}`;

describe('every DRS and IAM outcome reaches the caller as one documented error', () => {
  let gateway: TestGateway;
  let simulator: Simulator;
  const token = signToken({ sub: 'fault-tester', projects: ['*'] }, { expiresIn: 3600 });

  beforeAll(async () => {
    gateway = await startTestGateway({ UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS), IAM_TIMEOUT_MS: String(IAM_TIMEOUT_MS), RATE_LIMIT_MAX: '10000' });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());
  beforeEach(() => {
    simulator.faults.clear();
    simulator.resetStats();
  });

  const call = (project = PROJECT, headers: Record<string, string> = {}) =>
    send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: bearer(token), ...headers }, body });

  const expectClean = (res: Awaited<ReturnType<typeof call>>) => {
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.json().request_id).toBe(res.headers.get('x-request-id'));
    for (const secret of [token, 'sandbox-password', simulator.url, `:${simulator.port}`, 'MII', '<html']) expect(res.text).not.toContain(secret);
    expect(res.text).not.toMatch(/\bat \S+ \(|Error:|ECONN|axios/);
  };

  it.each<[string, DrsFault, number, string, string | null]>([
    ['DRS 500 with a JSON body', { kind: 'status', status: 500 }, 502, 'GW.3005', null],
    ['DRS 503', { kind: 'status', status: 503 }, 502, 'GW.3005', null],
    ['an HTML error page', { kind: 'html' }, 502, 'GW.3005', null],
    ['a truncated JSON body', { kind: 'malformed' }, 502, 'GW.3004', null],
    ['a 200 without results/count', { kind: 'wrongShape' }, 502, 'GW.3004', null],
    ['a body over the size cap', { kind: 'oversize' }, 502, 'GW.3004', null],
    ['a redirect (not followed)', { kind: 'redirect' }, 502, 'GW.3004', null],
    ['a connection dropped after DRS received the request (the pre-check may have started)', { kind: 'drop' }, 502, 'GW.3004', null],
    ['a connection cut off after the headers and half the body (not retried)', { kind: 'cutOff' }, 502, 'GW.3004', null],
    ['APIG throttling', { kind: 'throttle' }, 429, 'GW.3008', '7'],
    ['APIG throttling without Retry-After', { kind: 'throttle', retryAfter: null }, 429, 'GW.3008', '5'],
    ['DRS.M01503 throttling', { kind: 'drsThrottle' }, 429, 'GW.3008', '5'],
  ])('%s', async (_name, fault, status, code, retryAfter) => {
    await call();
    simulator.faults.set({ drs: { ...fault, times: 1 } });
    const res = await call();
    expect({ status: res.status, code: res.json().error_code }).toEqual({ status, code });
    expect(res.headers.get('retry-after')).toBe(retryAfter);
    expectClean(res);
    expect(simulator.stats.drsRequests).toBe(2);
  });

  it.each<[string, unknown, Record<string, unknown>]>([
    ['a JS stack in error_msg', { error_code: 'DRS.M00004', error_msg: 'Service is abnormal.\n    at Foo (/srv/app/x.js:12:3)' }, { status: 500, error_code: 'DRS.M00004' }],
    ['a library message with an internal address', { error_code: 'DRS.M00004', error_msg: 'Error: connect ECONNREFUSED 10.0.0.3:5432' }, { status: 500, error_code: 'DRS.M00004' }],
    ['a Java exception and an ill-formed code', { errorCode: 'java.lang.NullPointerException', errorMsg: 'java.lang.NullPointerException at com.huawei.drs.Job.run(Job.java:42)' }, { status: 500 }],
    ['an HTML page with a stack', '<html><body><h1>500</h1><pre>at Foo (/srv/app/x.js:12:3) db-master-01.prod.svc</pre></body></html>', { status: 500 }],
  ])('a DRS 5xx with %s reaches the caller as the catalogue text and upstream.status only', async (_name, drsBody, upstream) => {
    await call();
    simulator.faults.set({ drs: { kind: 'status', status: 500, body: drsBody, times: 1 } });
    const res = await call();
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ error_code: 'GW.3005', detail: 'DRS answered with a server error.', error_msg: 'DRS answered with a server error.' });
    expect(res.json().upstream).toEqual(upstream);
    expect(res.text).not.toMatch(/srv\/app|x\.js|ECONNREFUSED|10\.0\.0\.3|java\.lang|Job\.java|db-master|Service is abnormal/);
    expectClean(res);
  });

  it('an IAM 5xx with internals in its message reaches the caller without them', async () => {
    simulator.faults.set({ iam: { kind: 'status', status: 500, body: { error_code: 'IAM.0006', error_msg: 'Error: connect ECONNREFUSED 10.0.0.3:5432\n    at TCPConnectWrap.afterConnect (node:net:1555:16)' }, times: 1 } });
    const res = await call(freshProject());
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ error_code: 'GW.3002', upstream: { status: 500, error_code: 'IAM.0006' } });
    expect(res.json().upstream).not.toHaveProperty('error_msg');
    expectClean(res);
  });

  it('drops a DRS 4xx message with a stack trace in it, keeping DRS status and code', async () => {
    simulator.faults.set({ drs: { kind: 'status', status: 400, body: { error_code: 'DRS.M00202', error_msg: 'Invalid jobs.\n    at JobController.check (/srv/app/jobs.js:88:13)' }, times: 1 } });
    const res = await call();
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'DRS.M00202', error_msg: 'DRS rejected the request.', upstream: { status: 400, error_code: 'DRS.M00202' } });
    expect(res.json().upstream).not.toHaveProperty('error_msg');
    expectClean(res);
  });

  it('passes a DRS 4xx that is the caller doing through with DRS status and code', async () => {
    simulator.faults.set({ drs: { kind: 'status', status: 400, body: { error_code: 'DRS.M05003', error_msg: 'Task information not found.' }, times: 1 } });
    const res = await call();
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      error_code: 'DRS.M05003',
      error_msg: 'Task information not found.',
      upstream: { status: 400, error_code: 'DRS.M05003', error_msg: 'Task information not found.' },
    });
    expect(res.headers.get('x-upstream-request-id')).toMatch(/^[0-9a-f]{32}$/);
    expectClean(res);
  });

  it('fills error_code and error_msg of a failed item DRS sent without them', async () => {
    simulator.faults.set({ drs: { kind: 'status', status: 200, body: { results: [{ id: JOB, status: 'failed' }], count: 1 }, times: 1 } });
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ results: [{ id: JOB, status: 'failed', error_code: 'GW.3004', error_msg: 'DRS answered with something that is not a valid response, or the connection was lost after the request was sent.' }], count: 1 });
  });

  it('scrubs the error_msg of failed items in a 200 answer: hosts, URLs and tokens replaced, a message with internals dropped for the catalogue text', async () => {
    const hostile = [
      { id: JOB, status: 'failed', error_code: 'DRS.M00304', error_msg: `Job busy, see ${simulator.url}/jobs or db-master-01.prod.svc:5432, token MII${'x'.repeat(40)}` },
      { id: JOB, status: 'failed', error_code: 'DRS.M00202', error_msg: 'Error: connect ECONNREFUSED 10.0.0.3:5432\n    at TCPConnectWrap.afterConnect (node:net:1555:16)' },
      { id: JOB, status: 'failed', error_code: 'DRS.M00203', error_msg: 'java.lang.IllegalStateException: job locked in /opt/drs/lib/JobLock.java:42' },
      { id: JOB, status: 'failed', error_code: '<script>alert(1)</script>', error_msg: 'Traceback (most recent call last):\n  File "/srv/drs/app.py", line 7' },
    ];
    simulator.faults.set({ drs: { kind: 'status', status: 200, body: { results: hostile, count: hostile.length }, times: 1 } });
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      results: [
        { id: JOB, status: 'failed', error_code: 'DRS.M00304', error_msg: 'Job busy, see [url] or [host], token [token]' },
        { id: JOB, status: 'failed', error_code: 'DRS.M00202', error_msg: 'DRS rejected the request.' },
        { id: JOB, status: 'failed', error_code: 'DRS.M00203', error_msg: 'DRS rejected the request.' },
        { id: JOB, status: 'failed', error_code: 'GW.3004', error_msg: 'DRS answered with something that is not a valid response, or the connection was lost after the request was sent.' },
      ],
      count: 4,
    });
    expect(res.text).not.toMatch(/db-master|10\.0\.0\.3|ECONNREFUSED|MIIx|java\.lang|JobLock|\/opt\/|\/srv\/|Traceback|<script>/);
    expect(res.text).not.toContain(simulator.url);
  });

  it('answers 504 GW.3007 within UPSTREAM_TIMEOUT_MS plus a small margin when DRS is silent', async () => {
    await call();
    simulator.faults.set({ drs: { kind: 'hang', times: 1 } });
    const started = Date.now();
    const res = await call();
    const elapsed = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.json().error_code).toBe('GW.3007');
    expect(elapsed).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(UPSTREAM_TIMEOUT_MS + 1500);
    expectClean(res);
  });

  it('replays once with a fresh token after DRS refuses the token: one extra IAM call, one replay', async () => {
    await call();
    simulator.resetStats();
    simulator.faults.set({ drs: { kind: 'unauthorized', times: 1 } });
    const res = await call();
    expect(res.status).toBe(200);
    expect(simulator.stats.iamTokenRequests).toBe(1);
    expect(simulator.stats.drsRequests).toBe(2);
  });

  it('recovers from revoked tokens by the same replay', async () => {
    await call();
    simulator.revokeTokens();
    simulator.resetStats();
    expect((await call()).status).toBe(200);
    expect(simulator.stats.iamTokenRequests).toBe(1);
    expect(simulator.stats.drsRequests).toBe(2);
  });

  it('502 GW.3003 when DRS refuses the fresh token too, after exactly one replay', async () => {
    await call();
    simulator.resetStats();
    simulator.faults.set({ drs: { kind: 'unauthorized', times: 2 } });
    const res = await call();
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({ error_code: 'GW.3003', upstream: { status: 401, error_code: 'APIG.0301' } });
    expect(simulator.stats.iamTokenRequests).toBe(1);
    expect(simulator.stats.drsRequests).toBe(2);
    expectClean(res);
  });

  it.each<[string, IamFault, number, string, string | null]>([
    ['IAM down (503)', { kind: 'down' }, 503, 'GW.3002', '5'],
    ['IAM throttling (429 IAM.0012)', { kind: 'throttle' }, 503, 'GW.3002', '7'],
    ['IAM rejecting the credentials', { kind: 'badCredentials' }, 502, 'GW.3001', null],
    ['IAM answering an HTML page', { kind: 'html' }, 503, 'GW.3002', '5'],
    ['IAM answering 201 without a usable token', { kind: 'wrongShape' }, 503, 'GW.3002', '5'],
    ['IAM dropping the connection', { kind: 'drop' }, 503, 'GW.3002', '5'],
    ['IAM cutting its answer off halfway', { kind: 'cutOff' }, 503, 'GW.3002', '5'],
    ['IAM silent', { kind: 'hang' }, 503, 'GW.3002', '5'],
  ])('%s', async (_name, fault, status, code, retryAfter) => {
    simulator.faults.set({ iam: { ...fault, times: 1 } });
    const started = Date.now();
    const res = await call(freshProject());
    expect(Date.now() - started).toBeLessThan(IAM_TIMEOUT_MS + 1500);
    expect({ status: res.status, code: res.json().error_code }).toEqual({ status, code });
    expect(res.headers.get('retry-after')).toBe(retryAfter);
    expect(simulator.stats.drsRequests).toBe(0);
    expectClean(res);
  });

  it.each(['flat', 'nested', 'keystone'] as const)('reads the IAM error code from the %s body shape', async (shape) => {
    simulator.faults.set({ iamErrorShape: shape, iam: { kind: 'badCredentials', times: 1 } });
    const res = await call(freshProject());
    expect(res.json()).toMatchObject({ error_code: 'GW.3001', upstream: { status: 401, error_code: expect.any(String) } });
  });

  it('writes its own title and detail in zh-cn, DRS messages as DRS wrote them', async () => {
    await call();
    simulator.faults.set({ drs: { kind: 'status', status: 500, times: 1 } });
    const res = await call(PROJECT, { 'X-Language': 'zh-cn' });
    expect(res.json()).toMatchObject({ title: '上游错误', detail: 'DRS 返回了服务器错误。', error_msg: 'DRS 返回了服务器错误。' });
    simulator.faults.set({ drs: { kind: 'status', status: 400, body: { error_code: 'DRS.M00304', error_msg: '当前任务状态不允许调用该接口。' }, times: 1 } });
    expect((await call(PROJECT, { 'X-Language': 'zh-cn' })).json()).toMatchObject({ error_code: 'DRS.M00304', error_msg: '当前任务状态不允许调用该接口。', title: '请求被 DRS 拒绝' });
  });
});

describe('DRS unreachable', () => {
  it('503 GW.3006 with Retry-After when nothing listens at DRS_ENDPOINT', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const gateway = await startTestGateway({ DRS_ENDPOINT: `http://127.0.0.1:${closed}` });
    try {
      const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer() }, body });
      expect(res.status).toBe(503);
      expect(res.json().error_code).toBe('GW.3006');
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.text).not.toContain(String(closed));
    } finally {
      await gateway.stop();
    }
  });
});

describe('circuit breaker and stale tokens, on a controlled clock', () => {
  const OPEN_MS = 5_000;
  let gateway: TestGateway;
  let simulator: Simulator;
  const clock = new FakeClock(Date.now());
  const token = signToken({ sub: 'breaker-tester', projects: ['*'] }, { expiresIn: 3600 });
  const call = (project = PROJECT) => send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: bearer(token) }, body });

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '10000', IAM_TOKEN_REFRESH_MARGIN_MS: '600000' }, { clock, circuitOpenMs: OPEN_MS });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());
  beforeEach(() => simulator.faults.clear());

  it('opens after 5 upstream faults, refuses at once with 503 GW.3006 and Retry-After, and one probe closes it', async () => {
    await call();
    simulator.faults.set({ drs: { kind: 'status', status: 502, times: 5 } });
    for (let i = 0; i < 5; i += 1) expect((await call()).status).toBe(502);
    simulator.resetStats();

    const refused = await call();
    expect(refused.status).toBe(503);
    expect(refused.json().error_code).toBe('GW.3006');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(simulator.stats.drsRequests).toBe(0);
    expect((await send(gateway.url, '/readyz', { method: 'GET' })).json()).toMatchObject({ dependencies: { upstream: 'circuit-open' } });

    clock.advance(OPEN_MS);
    expect((await call()).status).toBe(200);
    expect(simulator.stats.drsRequests).toBe(1);
    expect((await send(gateway.url, '/readyz', { method: 'GET' })).json()).toMatchObject({ dependencies: { upstream: 'up' } });
  });

  it('an idle open circuit reads half-open on /metrics and /readyz once its open period has passed, before any request', async () => {
    await call();
    simulator.faults.set({ drs: { kind: 'status', status: 502, times: 5 } });
    for (let i = 0; i < 5; i += 1) expect((await call()).status).toBe(502);
    const circuit = async () => ({
      gauge: /^gateway_upstream_circuit_state\{region="default"\} (\d)$/m.exec((await send(gateway.url, '/metrics', { method: 'GET' })).text)?.[1],
      readiness: (await send(gateway.url, '/readyz', { method: 'GET' })).json(),
    });
    // Past the scrape cache's age as well, so each scrape renders afresh.
    clock.advance(SCRAPE_MAX_AGE_MS + 1);
    expect(await circuit()).toMatchObject({ gauge: '2', readiness: { dependencies: { upstream: 'circuit-open', regions: { default: { drs: 'circuit-open', circuit: 'open' } } } } });

    simulator.resetStats();
    clock.advance(OPEN_MS);
    expect(await circuit()).toMatchObject({ gauge: '1', readiness: { dependencies: { upstream: 'circuit-half-open', regions: { default: { drs: 'circuit-half-open', circuit: 'half-open' } } } } });
    expect(simulator.stats.drsRequests).toBe(0);

    expect((await call()).status).toBe(200);
    clock.advance(SCRAPE_MAX_AGE_MS + 1);
    expect(await circuit()).toMatchObject({ gauge: '0', readiness: { dependencies: { upstream: 'up', regions: { default: { drs: 'up', circuit: 'closed' } } } } });
  });

  it('keeps using a cached token inside its margin while IAM is down, and refuses once it has expired', async () => {
    const project = freshProject();
    simulator.faults.set({ iamTokenTtlMs: { ttlMs: 60 * 60_000, times: 1 } });
    expect((await call(project)).status).toBe(200);
    simulator.faults.set({ iam: { kind: 'down' } });
    simulator.resetStats();
    clock.advance(55 * 60_000);
    expect((await call(project)).status).toBe(200);
    expect(simulator.stats.requests.at(-1)?.headers['x-auth-token']).toMatch(/^MII/);
    clock.advance(5 * 60_000);
    const res = await call(project);
    expect(res.status).toBe(503);
    expect(res.json().error_code).toBe('GW.3002');
  });
});
