import type { RunningGateway } from '../../src/server';
import type { Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT } from '../support/tokens';

describe('GET /metrics', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '1' });
  });
  afterAll(() => gateway.stop());

  it('exposes gateway_ metrics in Prometheus text format, counting what happened', async () => {
    const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
    expect((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer() }, body })).status).toBe(200);
    expect((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer() }, body })).status).toBe(429);
    (gateway.simulator as Simulator).resetStats();

    const res = await send(gateway.url, '/metrics', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = res.text.split('\n').filter((l) => l.startsWith('gateway_'));
    expect(lines.length).toBeGreaterThan(20);
    expect(res.text).not.toMatch(/^(?!#)(?!gateway_)\S+ /m);
    expect(res.text).toContain('gateway_iam_fetches_total{outcome="ok"} 1');
    expect(res.text).toContain('gateway_rate_limit_rejections_total{limiter="caller"} 1');
    expect(res.text).toContain('gateway_upstream_circuit_state 0');
    expect(res.text).toMatch(/gateway_http_request_duration_seconds_count\{route="\/v3\/:project_id\/jobs\/batch-precheck",method="POST",status="200"\} 1/);
    expect(res.text).toMatch(/gateway_http_request_duration_seconds_count\{route="\/v3\/:project_id\/jobs\/batch-precheck",method="POST",status="429"\} 1/);
    expect(res.text).toContain('gateway_process_resident_memory_bytes');
    expect(res.text).not.toContain(PROJECT);
  });
});
