// The /__sim control routes that drive a simulator in another process, and the stats a test reads back.
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { drs, issueToken, JOB_ID, jobId, precheckBody } from './simulatorClient';

describe('simulator control and stats', () => {
  let sim: Simulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator();
    token = await issueToken(sim);
  });
  afterEach(() => sim.stop());

  const control = (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${sim.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  describe('faults over HTTP', () => {
    it('sets a fault with PUT /__sim/faults, shows it with GET, and clears it with DELETE', async () => {
      const put = await control('PUT', '/__sim/faults', { drs: { kind: 'status', status: 503, times: 2 } });
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({ drs: [{ kind: 'status', status: 503, times: 2 }], iamErrorShape: 'flat' });
      expect((await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID))).status).toBe(503);
      expect(await (await control('GET', '/__sim/faults')).json()).toMatchObject({ drs: [{ times: 1 }] });
      expect((await control('DELETE', '/__sim/faults')).status).toBe(204);
      expect((await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID))).status).toBe(200);
    });

    it('rejects unknown fault kinds and stray fields with 400 and the problems', async () => {
      const unknownKind = await control('PUT', '/__sim/faults', { drs: { kind: 'explode' } });
      expect(unknownKind.status).toBe(400);
      expect(await unknownKind.json()).toMatchObject({ error: 'invalid fault settings', problems: expect.any(Array) });
      expect((await control('PUT', '/__sim/faults', { drs: { kind: 'drop', tims: 1 } })).status).toBe(400);
      expect((await control('PUT', '/__sim/faults', { iam: { kind: 'drsThrottle' } })).status).toBe(400);
      expect((await control('PUT', '/__sim/faults', '{')).status).toBe(400);
      expect(sim.faults.snapshot().drs).toEqual([]);
    });

    it('accepts IAM switches over HTTP', async () => {
      await control('PUT', '/__sim/faults', { iam: { kind: 'throttle', times: 1 }, iamErrorShape: 'keystone', iamTokenTtlMs: 5000 });
      expect(sim.faults.snapshot()).toMatchObject({ iam: [{ kind: 'throttle', times: 1 }], iamErrorShape: 'keystone', iamTokenTtl: { ttlMs: 5000 } });
    });
  });

  it('lists every pre-check started, a restart of the same job included, with GET /__sim/starts', async () => {
    const other = jobId(7);
    const before = Date.now();
    expect((await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID))).status).toBe(200);
    expect((await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID, other))).status).toBe(200);
    const { starts } = (await (await control('GET', '/__sim/starts')).json()) as { starts: Array<{ job_id: string; mode: string; at: number }> };
    expect(starts.map((start) => start.job_id)).toEqual([JOB_ID, JOB_ID, other]);
    expect(starts.every((start) => start.mode === 'forStartJob' && start.at >= before && start.at <= Date.now())).toBe(true);
  });

  it('revokes every token with POST /__sim/revoke-tokens', async () => {
    const response = await control('POST', '/__sim/revoke-tokens');
    expect(await response.json()).toEqual({ revoked: 1 });
    const refused = await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error_code: 'APIG.0307' });
  });

  it('sets and reads jobs with PUT and GET /__sim/jobs/{id}', async () => {
    const put = await control('PUT', `/__sim/jobs/${jobId(1)}`, { status: 'FULL_TRANSFER_STARTED', outcome: 'fail' });
    expect(await put.json()).toEqual({ id: jobId(1), status: 'FULL_TRANSFER_STARTED', outcome: 'fail' });
    expect(sim.jobs.get(jobId(1))).toMatchObject({ status: 'FULL_TRANSFER_STARTED' });
    expect((await control('PUT', `/__sim/jobs/${jobId(1)}`, { status: 'RUNNING' })).status).toBe(400);
    expect((await control('GET', `/__sim/jobs/${jobId(2)}`)).status).toBe(404);
  });

  describe('stats', () => {
    it('counts IAM and DRS requests per route, faulted ones included', async () => {
      sim.faults.set({ drs: { kind: 'drop', times: 1 } });
      await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID)).catch(() => undefined);
      await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID));
      await drs(sim, 'batch-precheck-result', token, { jobs: [JOB_ID] });
      expect(sim.stats).toMatchObject({ iamTokenRequests: 1, drsRequests: 3, drsRequestsByRoute: { 'batch-precheck': 2, 'batch-precheck-result': 1 } });
      // The dropped request never reached the token check; the two answered ones are the sandbox user's.
      expect(sim.stats.drsRequestsByUser).toEqual({ 'sandbox-domain/sandbox-user': 2 });
      expect(await (await control('GET', '/__sim/stats')).json()).toMatchObject({ drsRequests: 3 });
    });

    it('records the exact headers and parsed body a client sent', async () => {
      await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID), { 'X-Language': 'zh-cn', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
      const [recorded] = sim.stats.requests;
      expect(recorded).toMatchObject({
        method: 'POST',
        path: '/v3/054ba152d480d55b2f5dc0069e7ddef0/jobs/batch-precheck',
        route: 'batch-precheck',
        body: precheckBody(JOB_ID),
      });
      expect(recorded?.headers).toMatchObject({
        'x-auth-token': token,
        'x-language': 'zh-cn',
        'content-type': 'application/json',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
      expect(recorded?.headers).not.toHaveProperty('authorization');
    });

    it('keeps the raw text of a body that is not JSON', async () => {
      await drs(sim, 'batch-precheck', token, '{oops');
      expect(sim.stats.requests[0]?.body).toBe('{oops');
    });

    it('keeps only the last 100 requests', async () => {
      for (let index = 0; index < 105; index += 1) await drs(sim, 'batch-precheck-result', token, { jobs: [jobId(index)] });
      const { requests } = sim.stats;
      expect(requests).toHaveLength(100);
      expect(requests[0]?.body).toEqual({ jobs: [jobId(5)] });
    });

    it('starts again from zero after resetStats() and DELETE /__sim/stats', async () => {
      await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID));
      sim.resetStats();
      expect(sim.stats).toEqual({ iamTokenRequests: 0, drsRequests: 0, drsRequestsByRoute: {}, drsRequestsByUser: {}, requests: [] });
      await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID));
      expect((await control('DELETE', '/__sim/stats')).status).toBe(204);
      expect(sim.stats.drsRequests).toBe(0);
    });

    it('counts but does not record requests in fast mode', async () => {
      const fast = await startSimulator({ fast: true });
      try {
        const fastToken = await issueToken(fast);
        const response = await drs(fast, 'batch-precheck', fastToken, precheckBody(JOB_ID));
        expect(response.status).toBe(200);
        expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
        expect(fast.stats).toMatchObject({ drsRequests: 1, requests: [] });
      } finally {
        await fast.stop();
      }
    });
  });
});
