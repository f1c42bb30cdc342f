import { randomBytes } from 'node:crypto';
import { METHODS } from 'node:http';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { send, sendVerbatim } from '../support/http';
import { openSse } from '../support/sse';
import { gatewayYaml, MAIN_PASSWORD_FILE, PARTNER_PASSWORD_ENV } from '../support/gatewayYaml';
import { startReloadableGateway, startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT } from '../support/tokens';
import { eventually } from '../support/eventually';

describe('GET /metrics', () => {
  let gateway: TestGateway;

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
    expect(res.text).toContain('gateway_iam_fetches_total{outcome="error"} 0');
    expect(res.text).toContain('gateway_rate_limit_rejections_total{limiter="caller"} 1');
    expect(res.text).toContain('gateway_upstream_circuit_state{region="default"} 0');
    expect(res.text).toMatch(/gateway_http_request_duration_seconds_count\{route="\/v3\/:project_id\/jobs\/batch-precheck",method="POST",status="200"\} 1/);
    expect(res.text).toMatch(/gateway_http_request_duration_seconds_count\{route="\/v3\/:project_id\/jobs\/batch-precheck",method="POST",status="429"\} 1/);
    expect(res.text).toContain('gateway_process_resident_memory_bytes');
    expect(res.text).toContain('gateway_upstream_request_duration_seconds_count{region="default",operation="batch-precheck",status_class="2xx"} 1');
    expect(res.text).toContain('gateway_iam_fetch_duration_seconds_count{region="default",outcome="ok"} 1');
    expect(res.text).toContain('gateway_progress_polls_total{outcome="error"} 0');
    expect(res.text).toContain('# TYPE gateway_iam_refresh_failures_total counter');
    expect(res.text).not.toContain(PROJECT);
  });
});

describe('progress metrics', () => {
  it('counts open progress streams while they last and the DRS polls behind them by outcome', async () => {
    const simulator = await startSimulator({ precheckDurationMs: 60_000 });
    const gateway = await startTestGateway({ DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, PRECHECK_POLL_INTERVAL_MS: '200' });
    try {
      const auth = { Authorization: bearer() };
      const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
      expect((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: auth, body })).status).toBe(200);
      const scrape = async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_050));
        return (await send(gateway.url, '/metrics', { method: 'GET' })).text;
      };
      expect(await scrape()).toContain('gateway_progress_streams_open 0');
      const stream = openSse(`${gateway.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, auth);
      expect(await stream.status).toBe(200);
      const during = await scrape();
      expect(during).toContain('gateway_progress_streams_open 1');
      expect(Number(/gateway_progress_polls_total\{outcome="ok"\} (\d+)/.exec(during)?.[1])).toBeGreaterThanOrEqual(1);
      expect(during).toMatch(/gateway_upstream_request_duration_seconds_count\{region="default",operation="progress-poll",status_class="2xx"\} [1-9]/);
      stream.abort();
      await stream.ended;
      expect(await scrape()).toContain('gateway_progress_streams_open 0');
    } finally {
      await gateway.stop();
      await simulator.stop();
    }
  });
});

describe('region-labelled series before their first event', () => {
  const FILE = '/etc/gateway.yaml';
  const files: Record<string, string> = { [FILE]: gatewayYaml(), [MAIN_PASSWORD_FILE]: 'main-pa55word\n' };
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startReloadableGateway({ GATEWAY_CONFIG: FILE, [PARTNER_PASSWORD_ENV]: 'partner-pa55word' }, files);
  });
  afterAll(() => gateway.stop());

  /** The /metrics text once it names `region` (a scrape may be up to a second old). */
  const scrapeNaming = async (region: string): Promise<string> => (await eventually(() => send(gateway.url, '/metrics', { method: 'GET' }), (res) => res.text.includes(`region="${region}"`))).text;
  const zeroSeries = (region: string) => [
    `gateway_iam_refresh_failures_total{region="${region}"} 0`,
    `gateway_iam_fetch_duration_seconds_count{region="${region}",outcome="error"} 0`,
    `gateway_iam_fetch_duration_seconds_count{region="${region}",outcome="ok"} 0`,
    `gateway_upstream_request_duration_seconds_count{region="${region}",operation="batch-precheck",status_class="5xx"} 0`,
    `gateway_upstream_request_duration_seconds_count{region="${region}",operation="batch-precheck-result",status_class="error"} 0`,
    `gateway_upstream_request_duration_seconds_count{region="${region}",operation="progress-poll",status_class="2xx"} 0`,
  ];

  it('shows every region-labelled counter at 0 for each configured region before any request, and for a region a reload adds', async () => {
    const first = await scrapeNaming('ap-southeast-1');
    for (const region of ['cn-north-4', 'ap-southeast-1']) {
      for (const series of zeroSeries(region)) expect(first.split('\n')).toContain(series);
    }

    files[FILE] = gatewayYaml().replace('regions:\n', 'regions:\n  eu-west-101: { drsEndpoint: https://drs.eu-west-101.myhuaweicloud.com, iamEndpoint: https://iam.eu-west-101.myhuaweicloud.com }\n');
    expect((await gateway.config.reload('signal')).ok).toBe(true);
    const reloaded = await scrapeNaming('eu-west-101');
    for (const series of zeroSeries('eu-west-101')) expect(reloaded.split('\n')).toContain(series);
  });
});

const requestSeries = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('gateway_http_request_duration_seconds_count{'));

describe('metrics labels under a scan', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ IP_RATE_LIMIT_MAX: '100000', RATE_LIMIT_MAX: '100000' });
  });
  afterAll(() => gateway.stop());

  it('keeps the number of series bounded after many requests with random methods and paths', async () => {
    // CONNECT asks for a tunnel, which node:http's server hands to a different event.
    const methods = METHODS.filter((m) => m !== 'CONNECT');
    const token = () => randomBytes(6).toString('hex');
    const paths = [() => `/${token()}`, () => `/v3/${token()}/jobs/batch-precheck`, () => `/v3/${PROJECT}/jobs/${token()}`, () => `/admin/${token()}`, () => '/healthz', () => `/v3/${PROJECT}/jobs/batch-precheck-result`];
    for (let i = 0; i < 300; i += 1) {
      const method = methods[i % methods.length] as string;
      const path = (paths[i % paths.length] as () => string)();
      expect((await sendVerbatim(gateway.url, path, method)).status).toBeGreaterThanOrEqual(200);
    }
    const text = (await send(gateway.url, '/metrics', { method: 'GET' })).text;
    const series = requestSeries(text);
    const methodLabels = new Set(series.map((s) => /method="([^"]*)"/.exec(s)?.[1]));
    expect([...methodLabels].every((m) => ['GET', 'HEAD', 'POST', 'OPTIONS', 'other'].includes(m as string))).toBe(true);
    expect(methodLabels.has('other')).toBe(true);
    // Every route pattern is fixed by the code: the paths' random parts never show.
    expect(series.every((s) => /route="(?:unmatched|\/[a-z0-9/:_.-]*)"/.test(s))).toBe(true);
    // The configuration hash is the one hex label, and it comes from the configuration, not from requests.
    const hashed = text.split('\n').filter((line) => /[0-9a-f]{12}"/.test(line));
    expect(hashed).toEqual([expect.stringMatching(/^gateway_config_info\{hash="[0-9a-f]{64}"\} 1$/)]);
    expect(series.length).toBeLessThanOrEqual(40);
  });
});

describe('METRICS_PORT: /metrics on its own listener', () => {
  it('serves /metrics there, 404s it on the public port, and stop() closes the listener', async () => {
    const gateway = await startTestGateway({ METRICS_PORT: '0' });
    let stopped = false;
    try {
      const metricsUrl = gateway.metricsUrl as string;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(new URL(metricsUrl).port).not.toBe(String(gateway.port));

      const scraped = await send(metricsUrl, '/metrics', { method: 'GET' });
      expect(scraped.status).toBe(200);
      expect(scraped.text).toContain('gateway_process_resident_memory_bytes');

      const publicAnswer = await send(gateway.url, '/metrics', { method: 'GET' });
      expect(publicAnswer.status).toBe(404);
      expect(publicAnswer.json().error_code).toBe('GW.0404');

      // The metrics listener serves nothing else.
      for (const path of ['/healthz', `/v3/${PROJECT}/jobs/batch-precheck`, '/admin/config', '/METRICS']) {
        expect((await send(metricsUrl, path, { method: 'GET' })).status).toBe(404);
      }
      expect((await send(metricsUrl, '/metrics', { method: 'POST' })).status).toBe(405);

      await gateway.stop();
      stopped = true;
      await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
    } finally {
      if (!stopped) await gateway.stop();
    }
  });
});

describe('scraping while callers are served', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ IP_RATE_LIMIT_MAX: '100000', RATE_LIMIT_MAX: '100000' });
  });
  afterAll(() => gateway.stop());

  it('fails no caller request and no scrape', async () => {
    const body = { jobs: [JOB] };
    const authorization = bearer();
    let serving = true;
    let scrapes = 0;
    const scraper = async (): Promise<void> => {
      while (serving) {
        const res = await send(gateway.url, '/metrics', { method: 'GET' });
        expect(res.status).toBe(200);
        scrapes += 1;
      }
    };
    const caller = async (): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i += 1) {
        statuses.push((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: authorization }, body })).status);
      }
      return statuses;
    };
    const scrapers = Array.from({ length: 3 }, scraper);
    const statuses = (await Promise.all(Array.from({ length: 4 }, caller))).flat();
    serving = false;
    await Promise.all(scrapers);
    expect(statuses).toEqual(Array.from({ length: 100 }, () => 200));
    expect(scrapes).toBeGreaterThan(0);
  }, 120_000);
});
