import { METHODS } from 'node:http';
import fc from 'fast-check';
import { PromMetrics, SCRAPE_MAX_AGE_MS } from '../../src/metrics/PromMetrics';
import { FakeClock } from '../support/fakeClock';

const requestSeries = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('gateway_http_request_duration_seconds_count{'));
const labelsOf = (series: string): Record<string, string> =>
  Object.fromEntries([...series.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));

describe('PromMetrics', () => {
  it('renders at most once per second (text up to a second old is served), however many scrapes arrive at once or in a row', async () => {
    const clock = new FakeClock();
    const metrics = new PromMetrics({ clock });
    const render = jest.spyOn(metrics.registry, 'metrics');
    const texts = await Promise.all(Array.from({ length: 50 }, () => metrics.scrape()));
    expect(render).toHaveBeenCalledTimes(1);
    expect(new Set(texts).size).toBe(1);

    metrics.observeRequest('/healthz', 'GET', 200, 0.001);
    clock.advance(SCRAPE_MAX_AGE_MS);
    const cached = await metrics.scrape();
    expect(render).toHaveBeenCalledTimes(1);
    expect(cached).toBe(texts[0]);
    expect(cached).not.toContain('route="/healthz"');

    clock.advance(1);
    const fresh = await metrics.scrape();
    expect(render).toHaveBeenCalledTimes(2);
    expect(fresh).toContain('gateway_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"} 1');
  });

  it('renders again after a failed render instead of caching the failure', async () => {
    const metrics = new PromMetrics({ clock: new FakeClock() });
    jest.spyOn(metrics.registry, 'metrics').mockRejectedValueOnce(new Error('collect failed'));
    await expect(metrics.scrape()).rejects.toThrow('collect failed');
    await expect(metrics.scrape()).resolves.toContain('gateway_');
  });

  it('labels only the methods the gateway serves; every other method is "other"', async () => {
    const metrics = new PromMetrics({ clock: new FakeClock() });
    for (const method of METHODS) metrics.observeRequest('unmatched', method, 404, 0.001);
    const methods = requestSeries(await metrics.scrape()).map((s) => labelsOf(s).method);
    expect(methods.sort()).toEqual(['GET', 'HEAD', 'OPTIONS', 'POST', 'other']);
  });

  it('keeps the number of request series bounded whatever methods and statuses arrive (property)', async () => {
    const clock = new FakeClock();
    const metrics = new PromMetrics({ clock });
    const routes = ['unmatched', '/v3/:project_id/jobs/batch-precheck', '/healthz'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...routes), fc.oneof(fc.constantFrom(...METHODS), fc.string({ minLength: 1, maxLength: 12 })), fc.integer({ min: 100, max: 599 })), { minLength: 1, maxLength: 200 }),
        (requests) => {
          for (const [route, method, status] of requests) metrics.observeRequest(route, method, status, 0.001);
        },
      ),
    );
    clock.advance(SCRAPE_MAX_AGE_MS + 1);
    const series = requestSeries(await metrics.scrape());
    const statuses = new Set(series.map((s) => labelsOf(s).status));
    // 5 method labels; the statuses the gateway answers with plus one class label per hundred.
    expect(series.length).toBeLessThanOrEqual(routes.length * 5 * statuses.size);
    for (const status of statuses) expect(status).toMatch(/^(?:[1-5]xx|200|204|304|4\d\d|50[0-4])$/);
    expect(statuses.size).toBeLessThanOrEqual(30);
  });

  it('starts the region-labelled series at 0 for each region named, and a region named again keeps what it counted', async () => {
    const metrics = new PromMetrics({ clock: new FakeClock(), upstreamOperations: ['batch-precheck'] });
    metrics.regionsConfigured(['north']);
    metrics.iamRefreshFailure('north');
    metrics.iamFetch('error', 'north', 0.2);
    metrics.upstreamRequest('north', 'batch-precheck', '5xx', 0.3);
    metrics.regionsConfigured(['north', 'south']);
    const lines = (await metrics.registry.metrics()).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'gateway_iam_refresh_failures_total{region="north"} 1',
        'gateway_iam_fetch_duration_seconds_count{region="north",outcome="error"} 1',
        'gateway_upstream_request_duration_seconds_count{region="north",operation="batch-precheck",status_class="5xx"} 1',
        'gateway_iam_refresh_failures_total{region="south"} 0',
        'gateway_iam_fetch_duration_seconds_count{region="south",outcome="ok"} 0',
        'gateway_iam_fetch_duration_seconds_count{region="south",outcome="error"} 0',
        ...['2xx', '3xx', '4xx', '5xx', 'error'].map((statusClass) => `gateway_upstream_request_duration_seconds_count{region="south",operation="batch-precheck",status_class="${statusClass}"} 0`),
      ]),
    );
  });

  it('counts reloads by outcome from zero and names only the running configuration hash', async () => {
    const metrics = new PromMetrics({ clock: new FakeClock() });
    metrics.configRunning('a'.repeat(64));
    metrics.configRunning('b'.repeat(64));
    metrics.configReload('success');
    metrics.configReload('failure');
    metrics.configReload('failure');
    const text = await metrics.registry.metrics();
    expect(text).toContain('gateway_config_reloads_total{outcome="success"} 1');
    expect(text).toContain('gateway_config_reloads_total{outcome="failure"} 2');
    expect(text).toContain(`gateway_config_info{hash="${'b'.repeat(64)}"} 1`);
    expect(text).not.toContain('a'.repeat(64));
    expect(await new PromMetrics({ clock: new FakeClock() }).registry.metrics()).toContain('gateway_config_reloads_total{outcome="failure"} 0');
  });

  it("copies each log destination's dropped-line total at every scrape, from zero", async () => {
    const dropped = { stdout: 0, 'audit-file': 0 };
    const metrics = new PromMetrics({ clock: new FakeClock(), sources: { circuitStates: () => ({}), logLinesDropped: () => dropped } });
    expect(await metrics.registry.metrics()).toContain('gateway_log_lines_dropped_total{destination="stdout"} 0');
    dropped.stdout = 16;
    dropped['audit-file'] = 3;
    const text = await metrics.registry.metrics();
    expect(text).toContain('gateway_log_lines_dropped_total{destination="stdout"} 16');
    expect(text).toContain('gateway_log_lines_dropped_total{destination="audit-file"} 3');
    dropped.stdout = 17;
    expect(await metrics.registry.metrics()).toContain('gateway_log_lines_dropped_total{destination="stdout"} 17');
  });

  it('counts shed requests by reason from zero and shows the shedding state', async () => {
    let shedding = 0;
    const metrics = new PromMetrics({ clock: new FakeClock(), sources: { circuitStates: () => ({}), overloadShedding: () => shedding } });
    const before = await metrics.registry.metrics();
    expect(before).toContain('gateway_overload_shed_requests_total{reason="event-loop-delay"} 0');
    expect(before).toContain('gateway_overload_shed_requests_total{reason="heap-used"} 0');
    expect(before).toContain('gateway_overload_shedding 0');
    shedding = 1;
    metrics.overloadShed('heap-used');
    metrics.overloadShed('heap-used');
    const after = await metrics.registry.metrics();
    expect(after).toContain('gateway_overload_shed_requests_total{reason="heap-used"} 2');
    expect(after).toContain('gateway_overload_shedding 1');
  });
});
