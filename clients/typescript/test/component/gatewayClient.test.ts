// The client against a real gateway and its simulator, in Node: start, watch, read, retries, lost answers, aborts.
import type { RunningGateway } from '../../../../src/server';
import { startSimulator, type Simulator } from '../../../../src/simulator/startSimulator';
import { send } from '../../../../test/support/http';
import { startTestGateway } from '../../../../test/support/startTestGateway';
import { bearer, JOB, JOB_2, PROJECT, signToken } from '../../../../test/support/tokens';
import { createGatewayClient, GatewayClientError, type GatewayClientOptions, type PrecheckEvent, type ReconnectNotice, type RetryNotice } from '../../src';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';

const POLL_MS = 150;
const jobId = (n: number): string => `${String(n).padStart(8, '0')}-1111-4222-8333-44444444c${String(n).padStart(3, '0')}`;
const startJobs = (...ids: string[]) => ids.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' as const }));

/** Collects what the client reports, so tests can assert the retries and reconnections it made. */
const recorder = () => {
  const retries: RetryNotice[] = [];
  const reconnects: ReconnectNotice[] = [];
  let tokens = 0;
  const options = (baseUrl: string, sub: string, extra: Partial<GatewayClientOptions> = {}): GatewayClientOptions => ({
    baseUrl,
    getToken: () => {
      tokens += 1;
      return signToken({ sub, projects: [PROJECT] });
    },
    retry: { baseDelayMs: 50 },
    reconnect: { baseDelayMs: 50 },
    onRetry: (notice) => retries.push(notice),
    onReconnect: (notice) => reconnects.push(notice),
    ...extra,
  });
  return { retries, reconnects, options, tokens: () => tokens };
};

const collect = async (events: AsyncIterable<PrecheckEvent>): Promise<PrecheckEvent[]> => {
  const seen: PrecheckEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
};

const polls = (simulator: Simulator): number => simulator.stats.drsRequestsByRoute['batch-precheck-result'] ?? 0;
const starts = (simulator: Simulator): number => simulator.stats.drsRequestsByRoute['batch-precheck'] ?? 0;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the gateway client in Node, against the gateway and its simulator', () => {
  let simulator: Simulator;
  let gateway: RunningGateway;
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    simulator = await startSimulator({ precheckDurationMs: 900 });
    gateway = await startTestGateway({ DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, PRECHECK_POLL_INTERVAL_MS: String(POLL_MS), RATE_LIMIT_MAX: '1000' });
  });
  afterAll(async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await gateway.stop();
    await simulator.stop();
  });

  it('starts a pre-check, watches it to done and reads its result, with a fresh token per request', async () => {
    const { options, tokens } = recorder();
    const client = createGatewayClient(options(gateway.url, 'node-service'));
    const started = await client.startPrecheck(PROJECT, startJobs(JOB, JOB_2));
    expect(started).toEqual({ count: 2, results: [expect.objectContaining({ id: JOB, status: 'success' }), expect.objectContaining({ id: JOB_2, status: 'success' })] });

    const events = await collect(client.watchPrecheck(PROJECT, [JOB, JOB_2]));
    const done = events.filter((e) => e.type === 'done');
    expect(done.map((e) => e.data.job_id).sort()).toEqual([JOB, JOB_2].sort());
    expect(done.every((e) => e.data.result === true)).toBe(true);
    expect(events.some((e) => e.type === 'progress' && e.data.job_id === JOB)).toBe(true);
    expect(events.at(-1)?.type).toBe('done');

    const read = await client.getPrecheckResults(PROJECT, [JOB, JOB_2]);
    expect(read.results?.map((item) => item.process)).toEqual(['100%', '100%']);
    expect(tokens()).toBe(3);
  });

  it('passes X-Request-Id and traceparent through to DRS and asks for errors in the chosen language', async () => {
    const { options } = recorder();
    const client = createGatewayClient(options(gateway.url, 'tracing-service', { language: 'zh-cn' }));
    simulator.resetStats();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await client.getPrecheckResults(PROJECT, [JOB], { requestId: 'client-req-0001', traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const upstream = simulator.stats.requests.at(-1);
    expect(upstream?.headers['x-request-id']).toBe('client-req-0001');
    expect(upstream?.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const refused = await client.getPrecheckResults(PROJECT, ['not-a-job-id']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayClientError);
    expect((refused as GatewayClientError).problem.title).toBe('请求无效');
  });

  it('reconnects after the stream is cut mid-way, asks again only for open jobs, and still ends with done', async () => {
    const first = jobId(1);
    const second = jobId(2);
    // The first connection is cut right after the first job's done event; the rest pass.
    const proxy = await startTcpProxy(gateway.url, (n) => (n === 1 ? { kind: 'cut-after', text: `"job_id":"${first}","result"` } : { kind: 'pass' }));
    proxies.push(proxy);
    const { options, reconnects } = recorder();
    const direct = createGatewayClient(options(gateway.url, 'watcher'));
    await direct.startPrecheck(PROJECT, startJobs(first));
    await wait(1_000);
    await direct.startPrecheck(PROJECT, startJobs(second));

    const viaProxy = createGatewayClient(options(proxy.url, 'watcher'));
    const events = await collect(viaProxy.watchPrecheck(PROJECT, [first, second]));
    expect(events.filter((e) => e.type === 'done').map((e) => e.data.job_id)).toEqual([first, second]);
    expect(reconnects).toEqual([expect.objectContaining({ reason: 'dropped', jobIds: [second] })]);
    expect(proxy.connections()).toBe(2);
  });

  it('a start whose answer is lost is retried with the same Idempotency-Key, and DRS starts the pre-check once', async () => {
    const job = jobId(3);
    const proxy = await startTcpProxy(gateway.url, (n) => (n === 1 ? { kind: 'lose-answer' } : { kind: 'pass' }));
    proxies.push(proxy);
    const { options, retries } = recorder();
    const client = createGatewayClient(options(proxy.url, 'unlucky-service'));
    simulator.resetStats();
    const started = await client.startPrecheck(PROJECT, startJobs(job));
    expect(started.results).toEqual([expect.objectContaining({ id: job, status: 'success' })]);
    expect(retries.map((r) => r.error.error_code)).toContain('CLIENT.NETWORK');
    expect(proxy.connections()).toBeGreaterThanOrEqual(2);
    expect(starts(simulator)).toBe(1);
  });

  it('does not repeat a start the gateway answered 502 (DRS may have started it), but repeats a read', async () => {
    const { options, retries } = recorder();
    const client = createGatewayClient(options(gateway.url, 'careful-service'));
    simulator.resetStats();
    simulator.faults.set({ drs: { kind: 'status', status: 500, route: 'batch-precheck', times: 1 } });
    const refused = await client.startPrecheck(PROJECT, startJobs(jobId(5))).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 502, error_code: 'GW.3005', kind: 'may-have-started', retryable: false });
    expect(starts(simulator)).toBe(1);
    expect(retries).toEqual([]);

    simulator.faults.set({ drs: { kind: 'status', status: 500, route: 'batch-precheck-result', times: 1 } });
    const read = await client.getPrecheckResults(PROJECT, [JOB]);
    expect(read.count).toBe(1);
    expect(retries.map((r) => r.error.error_code)).toEqual(['GW.3005']);
  });

  it('stops the gateway polling DRS when the watch is aborted', async () => {
    const slowSimulator = await startSimulator({ precheckDurationMs: 120_000 });
    const slowGateway = await startTestGateway({ DRS_ENDPOINT: slowSimulator.url, IAM_ENDPOINT: slowSimulator.url, PRECHECK_POLL_INTERVAL_MS: String(POLL_MS) });
    try {
      const { options } = recorder();
      const client = createGatewayClient(options(slowGateway.url, 'impatient'));
      const job = jobId(4);
      await client.startPrecheck(PROJECT, startJobs(job));
      const controller = new AbortController();
      const seen: PrecheckEvent[] = [];
      const watching = client.followPrecheck(PROJECT, [job], (event) => seen.push(event), { signal: controller.signal });
      while (polls(slowSimulator) < 3 || seen.length === 0) await wait(POLL_MS);
      controller.abort();
      await expect(watching).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen[0]).toMatchObject({ type: 'progress', data: { job_id: job } });

      await wait(3 * POLL_MS);
      const afterAbort = polls(slowSimulator);
      await wait(6 * POLL_MS);
      expect(polls(slowSimulator)).toBe(afterAbort);
    } finally {
      await slowGateway.stop();
      await slowSimulator.stop();
    }
  });
});

describe('the gateway client under rate limits', () => {
  let simulator: Simulator;
  let shortWindow: RunningGateway;
  let longWindow: RunningGateway;

  beforeAll(async () => {
    simulator = await startSimulator({ precheckDurationMs: 500 });
    const endpoints = { DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url };
    // 3 s rather than 1 s: on a loaded machine three requests can outlast a 1 s window, and then no 429 comes.
    shortWindow = await startTestGateway({ ...endpoints, RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '3000' });
    longWindow = await startTestGateway({ ...endpoints, RATE_LIMIT_MAX: '1', RATE_LIMIT_WINDOW_MS: '20000' });
  });
  afterAll(async () => {
    await shortWindow.stop();
    await longWindow.stop();
    await simulator.stop();
  });

  const spend = async (gateway: RunningGateway, sub: string, times: number): Promise<void> => {
    for (let i = 0; i < times; i += 1) {
      const answer = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: bearer(signToken({ sub })) }, body: { jobs: [JOB] } });
      expect(answer.status).toBe(200);
    }
  };

  it('retries a 429 after the Retry-After the gateway sent, with a fresh token, and then succeeds', async () => {
    await spend(shortWindow, 'limited-service', 2);
    const { options, retries, tokens } = recorder();
    const client = createGatewayClient(options(shortWindow.url, 'limited-service'));
    const read = await client.getPrecheckResults(PROJECT, [JOB]);
    expect(read.count).toBe(1);
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, error: expect.objectContaining({ status: 429, error_code: 'GW.2001', retryable: true }) })]);
    const delayMs = retries[0]?.delayMs ?? 0;
    expect(delayMs).toBe(retries[0]?.error.retryAfterMs);
    expect(delayMs).toBeGreaterThanOrEqual(1000);
    expect(delayMs).toBeLessThanOrEqual(3000);
    expect(tokens()).toBe(2);
  });

  it('does not retry a 400: the error carries the problem body and is not retryable', async () => {
    const { options, retries, tokens } = recorder();
    const client = createGatewayClient(options(shortWindow.url, 'careless-service'));
    simulator.resetStats();
    const refused = await client.startPrecheck(PROJECT, [{ job_id: 'nope', precheck_mode: 'forStartJob' }]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayClientError);
    expect(refused).toMatchObject({ status: 400, error_code: 'GW.0400', retryable: false, request_id: expect.any(String), errors: [expect.objectContaining({ pointer: '/jobs/0/job_id' })] });
    expect(retries).toEqual([]);
    expect(tokens()).toBe(1);
    expect(starts(simulator)).toBe(0);
  });

  it('stops at once when aborted during a Retry-After wait', async () => {
    await spend(longWindow, 'waiting-service', 1);
    const { options, retries } = recorder();
    const client = createGatewayClient(options(longWindow.url, 'waiting-service'));
    const controller = new AbortController();
    const began = Date.now();
    const reading = client.getPrecheckResults(PROJECT, [JOB], { signal: controller.signal });
    while (retries.length === 0) await wait(20);
    expect(retries[0]?.delayMs).toBeGreaterThan(10_000);
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - began).toBeLessThan(8_000);
  });
});
