import type { Simulator } from '../../src/simulator/startSimulator';
import { FakeClock } from '../support/fakeClock';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, JOB_2, PROJECT, signToken } from '../support/tokens';

const body = (job = JOB) => ({ jobs: [{ job_id: job, precheck_mode: 'forStartJob' }] });
let keyCounter = 0;
const newKey = () => `key-${++keyCounter}.${Date.now()}`;

describe('Idempotency-Key on batch-precheck', () => {
  let gateway: TestGateway;
  let simulator: Simulator;
  const clock = new FakeClock(Date.now());
  const token = bearer(signToken({ sub: 'idem-caller' }, { expiresIn: 7 * 24 * 3600 }));

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '1000' }, { clock });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());
  beforeEach(() => {
    simulator.faults.clear();
    simulator.resetStats();
  });

  const precheck = (key: string | undefined, payload: object = body(), auth = token) =>
    send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: auth, ...(key === undefined ? {} : { 'Idempotency-Key': key }) }, body: payload });

  it('gives the first response again, marked Idempotency-Replayed, without calling DRS again', async () => {
    const key = newKey();
    const first = await precheck(key);
    const second = await precheck(key);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    expect(second.headers.get('x-upstream-request-id')).toBe(first.headers.get('x-upstream-request-id'));
    expect(simulator.stats.drsRequests).toBe(1);
  });

  it('answers 422 GW.0422 to the same key with a different body', async () => {
    const key = newKey();
    await precheck(key);
    const res = await precheck(key, body(JOB_2));
    expect(res.status).toBe(422);
    expect(res.json().error_code).toBe('GW.0422');
    expect(simulator.stats.drsRequests).toBe(1);
  });

  it('answers 409 GW.0409 to a repeat while the first is still in flight', async () => {
    const key = newKey();
    simulator.faults.set({ drs: { latencyMs: 400, times: 1 } });
    const first = precheck(key);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const repeat = await precheck(key);
    expect(repeat.status).toBe(409);
    expect(repeat.json().error_code).toBe('GW.0409');
    expect((await first).status).toBe(200);
    expect(simulator.stats.drsRequests).toBe(1);
  });

  it('keeps callers apart: the same key from another caller is a new request', async () => {
    const key = newKey();
    await precheck(key);
    const other = await precheck(key, body(), bearer(signToken({ sub: 'someone-else' })));
    expect(other.headers.get('idempotency-replayed')).toBeNull();
    expect(simulator.stats.drsRequests).toBe(2);
  });

  it('frees the key when the start failed before DRS could act on it (DRS throttled): a retry reaches DRS', async () => {
    const key = newKey();
    simulator.faults.set({ drs: { kind: 'throttle', times: 1 } });
    expect((await precheck(key)).json().error_code).toBe('GW.3008');
    const retry = await precheck(key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotency-replayed')).toBeNull();
    expect(simulator.stats.drsRequests).toBe(2);
  });

  it('replays a failure after which DRS may have started the pre-check (a DRS 503), without calling DRS again', async () => {
    const key = newKey();
    simulator.faults.set({ drs: { kind: 'status', status: 503, times: 1 } });
    const first = await precheck(key);
    expect({ status: first.status, code: first.json().error_code }).toEqual({ status: 502, code: 'GW.3005' });
    const repeat = await precheck(key);
    expect({ status: repeat.status, code: repeat.json().error_code, upstream: repeat.json().upstream }).toEqual({ status: 502, code: 'GW.3005', upstream: first.json().upstream });
    expect(repeat.headers.get('idempotency-replayed')).toBe('true');
    expect(repeat.headers.get('x-upstream-request-id')).toBe(first.headers.get('x-upstream-request-id'));
    expect(repeat.json().request_id).toBe(repeat.headers.get('x-request-id'));
    expect(simulator.stats.drsRequests).toBe(1);
  });

  it('forgets a key after 24 hours', async () => {
    const key = newKey();
    await precheck(key);
    clock.advance(24 * 3600 * 1000 + 1);
    const later = await precheck(key);
    expect(later.headers.get('idempotency-replayed')).toBeNull();
    expect(simulator.stats.drsRequests).toBe(2);
  });

  it('refuses a malformed key with 400 naming the header', async () => {
    const res = await precheck('has spaces and ünïcode');
    expect(res.status).toBe(400);
    expect(res.json().errors).toEqual([{ header: 'Idempotency-Key', message: expect.any(String) }]);
    expect(simulator.stats.drsRequests).toBe(0);
  });
});
