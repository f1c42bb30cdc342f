// DRS fault switches: every kind, `times` auto-clearing, queues, route filters, and stop() ending hung requests.
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { drs, issueToken, JOB_ID, precheckBody } from './simulatorClient';

const waitFor = async (condition: () => boolean): Promise<void> => {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('condition not met in time');
};

describe('simulated DRS faults', () => {
  let sim: Simulator;
  let token: string;
  const precheck = (headers: Record<string, string> = {}): Promise<Response> => drs(sim, 'batch-precheck', token, precheckBody(JOB_ID), headers);
  const results = (): Promise<Response> => drs(sim, 'batch-precheck-result', token, { jobs: [JOB_ID] });

  beforeEach(async () => {
    sim = await startSimulator();
    token = await issueToken(sim);
  });
  afterEach(() => sim.stop());

  it('fails only the next request when times is 1, then clears itself', async () => {
    sim.faults.set({ drs: { kind: 'status', status: 503, times: 1 } });
    const failed = await precheck();
    expect(failed.status).toBe(503);
    expect(await failed.json()).toEqual({ error_code: 'APIG.0201', error_msg: 'Backend unavailable', request_id: failed.headers.get('x-request-id') });
    expect((await precheck()).status).toBe(200);
    expect(sim.faults.snapshot().drs).toEqual([]);
  });

  it('keeps a fault without times until cleared', async () => {
    sim.faults.set({ drs: { kind: 'status', status: 500 } });
    expect((await precheck()).status).toBe(500);
    expect((await precheck()).status).toBe(500);
    sim.faults.clear();
    expect((await precheck()).status).toBe(200);
  });

  it('works through a queue of faults in order, each with its own times', async () => {
    sim.faults.set({ drs: [{ kind: 'status', status: 502, times: 2 }, { kind: 'throttle', times: 1 }] });
    expect(sim.faults.snapshot().drs).toEqual([{ kind: 'status', status: 502, times: 2 }, { kind: 'throttle', times: 1 }]);
    expect((await precheck()).status).toBe(502);
    expect(sim.faults.snapshot().drs[0]).toMatchObject({ times: 1 });
    expect((await precheck()).status).toBe(502);
    expect((await precheck()).status).toBe(429);
    expect((await precheck()).status).toBe(200);
  });

  it('limits a fault to its route', async () => {
    sim.faults.set({ drs: { kind: 'status', status: 500, route: 'batch-precheck-result', times: 1 } });
    expect((await precheck()).status).toBe(200);
    expect((await results()).status).toBe(500);
    expect((await results()).status).toBe(200);
  });

  it('limits a fault to requests whose body names its job, on either route', async () => {
    const other = 'aaaaaaaa-1111-4222-8333-44444444jb99';
    sim.faults.set({ drs: { kind: 'status', status: 500, job: JOB_ID } });
    expect((await drs(sim, 'batch-precheck-result', token, { jobs: [other] })).status).toBe(200);
    expect((await drs(sim, 'batch-precheck', token, precheckBody(other))).status).toBe(200);
    expect((await drs(sim, 'batch-precheck-result', token, { jobs: [other, JOB_ID] })).status).toBe(500);
    expect((await precheck()).status).toBe(500);
  });

  it('misbehaves before authentication, as a broken front does', async () => {
    sim.faults.set({ drs: { kind: 'status', status: 503, times: 1 } });
    expect((await drs(sim, 'batch-precheck', undefined, precheckBody(JOB_ID))).status).toBe(503);
  });

  it('sends a status fault with the given body and headers', async () => {
    const body = { error_code: 'APIG.0308', error_msg: 'The throttling threshold has been reached.', request_id: 'abc' };
    sim.faults.set({ drs: { kind: 'status', status: 429, body, headers: { 'Retry-After': '3' } } });
    const response = await precheck();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual(body);
  });

  it('delays the answer by latencyMs', async () => {
    sim.faults.set({ drs: { latencyMs: 150, times: 1 } });
    const started = Date.now();
    const response = await precheck();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
    const quick = Date.now();
    await precheck();
    expect(Date.now() - quick).toBeLessThan(140);
  });

  it('answers an nginx HTML 502 page', async () => {
    sim.faults.set({ drs: { kind: 'html' } });
    const response = await precheck();
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toContain('<h1>502 Bad Gateway</h1>');
  });

  it('titles the HTML page after its status', async () => {
    sim.faults.set({ drs: { kind: 'html', status: 504 } });
    const response = await precheck();
    expect(response.status).toBe(504);
    expect(await response.text()).toContain('<title>504 Gateway Timeout</title>');
  });

  it('answers 200 with truncated JSON', async () => {
    sim.faults.set({ drs: { kind: 'malformed' } });
    const response = await precheck();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.json()).rejects.toThrow();
  });

  it('answers 200 JSON without results and count', async () => {
    sim.faults.set({ drs: { kind: 'wrongShape' } });
    const response = await precheck();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('results');
    expect(body).not.toHaveProperty('count');
  });

  it('drops the connection without an answer', async () => {
    sim.faults.set({ drs: { kind: 'drop', times: 1 } });
    await expect(precheck()).rejects.toThrow();
    expect((await precheck()).status).toBe(200);
  });

  it('cuts the connection off after the headers and half the body', async () => {
    sim.faults.set({ drs: { kind: 'cutOff', times: 1 } });
    const response = await precheck();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).not.toBeNull();
    await expect(response.text()).rejects.toThrow();
    expect((await precheck()).status).toBe(200);
  });

  it('redirects without being followed by a manual client', async () => {
    sim.faults.set({ drs: { kind: 'redirect' } });
    const response = await precheck();
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/__sim/redirected');
  });

  it('answers a body of several megabytes', async () => {
    sim.faults.set({ drs: { kind: 'oversize', bytes: 3 * 1024 * 1024 } });
    const response = await precheck();
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(3 * 1024 * 1024);
    const body = (await response.json()) as { results: unknown[]; padding: string };
    expect(body.padding.length).toBeGreaterThan(3_000_000);
  });

  it('answers 401 APIG.0301 for a good token', async () => {
    sim.faults.set({ drs: { kind: 'unauthorized', times: 1 } });
    const response = await precheck();
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error_code: 'APIG.0301' });
    expect((await precheck()).status).toBe(200);
  });

  it('throttles with 429 APIG.0308 and Retry-After: 7, or no Retry-After when told', async () => {
    sim.faults.set({ drs: [{ kind: 'throttle', times: 1 }, { kind: 'throttle', retryAfter: null, times: 1 }] });
    const first = await precheck();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(await first.json()).toMatchObject({ error_code: 'APIG.0308', request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const second = await precheck();
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBeNull();
  });

  it('throttles at the DRS level with 400 DRS.M01503, in the requested language', async () => {
    sim.faults.set({ drs: { kind: 'drsThrottle' } });
    const english = await precheck();
    expect(english.status).toBe(400);
    expect(await english.json()).toEqual({ error_code: 'DRS.M01503', error_msg: 'Operation too frequent. Try again later.' });
    expect(await (await precheck({ 'X-Language': 'zh-cn' })).json()).toEqual({ error_code: 'DRS.M01503', error_msg: '操作过于频繁，请稍后重试。' });
  });

  it('answers normally but without X-Request-Id', async () => {
    sim.faults.set({ drs: { kind: 'noRequestId', times: 1 } });
    const response = await precheck();
    expect(response.status).toBe(200);
    expect(response.headers.has('x-request-id')).toBe(false);
    expect((await precheck()).headers.has('x-request-id')).toBe(true);
  });

  it('keeps fault state per instance', async () => {
    const other = await startSimulator();
    try {
      sim.faults.set({ drs: { kind: 'status', status: 500 } });
      const otherToken = await issueToken(other);
      expect((await drs(other, 'batch-precheck', otherToken, precheckBody(JOB_ID))).status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it('lets stop() end a request left hanging', async () => {
    sim.faults.set({ drs: { kind: 'hang' } });
    const outcome = precheck().then(
      () => 'answered',
      () => 'cut',
    );
    await waitFor(() => sim.stats.drsRequests === 1);
    await sim.stop();
    expect(await outcome).toBe('cut');
  });

  it('lets stop() end a request waiting out a long latency', async () => {
    sim.faults.set({ drs: { latencyMs: 60_000 } });
    const outcome = precheck().then(
      () => 'answered',
      () => 'cut',
    );
    await waitFor(() => sim.stats.drsRequests === 1);
    const stopping = Date.now();
    await sim.stop();
    expect(await outcome).toBe('cut');
    expect(Date.now() - stopping).toBeLessThan(1000);
  });
});
