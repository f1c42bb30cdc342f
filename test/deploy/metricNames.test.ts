// Every metric the dashboard and the alert rules read is one a running gateway (with Redis) exposes on /metrics.
import { send } from '../support/http';
import { startRedis, type RedisProcess } from '../support/redis';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';
import { alertRules, metricNamesIn, missingMetricNames, panelExpressions, readDashboard, variableQueries } from './deployFiles';

describe('metric names in deploy/', () => {
  let redis: RedisProcess;
  let gateway: TestGateway;
  let exposition: string;

  beforeAll(async () => {
    redis = await startRedis();
    gateway = await startTestGateway({ REDIS_URL: redis.url, TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, METRICS_PORT: '0' });
    exposition = (await send(gateway.metricsUrl as string, '/metrics', { method: 'GET' })).text;
  });
  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
  });

  const dashboard = readDashboard();
  const used = metricNamesIn([...alertRules().map((rule) => rule.expr), ...panelExpressions(dashboard), ...variableQueries(dashboard)]);

  it('finds the names in the PromQL of the rules, the panels and the variables', () => {
    expect(used).toEqual(
      expect.arrayContaining([
        'gateway_http_request_duration_seconds_bucket',
        'gateway_http_request_duration_seconds_count',
        'gateway_upstream_request_duration_seconds_bucket',
        'gateway_upstream_circuit_state',
        'gateway_rate_limit_rejections_total',
        'gateway_iam_fetches_total',
        'gateway_iam_fetch_duration_seconds_bucket',
        'gateway_iam_refresh_failures_total',
        'gateway_redis_up',
        'gateway_progress_streams_open',
        'gateway_progress_polls_total',
      ]),
    );
  });

  it('finds each of them declared on /metrics (a histogram declares its _bucket, _sum and _count)', () => {
    expect(exposition).toContain('# TYPE gateway_redis_up gauge');
    expect(missingMetricNames(used, exposition)).toEqual([]);
  });

  it('reports a made-up name, and a histogram suffix on a metric that is no histogram, as missing', () => {
    expect(missingMetricNames([...used, 'gateway_made_up_total', 'gateway_redis_up_bucket', 'gateway_iam_fetches_total_count'], exposition)).toEqual([
      'gateway_made_up_total',
      'gateway_redis_up_bucket',
      'gateway_iam_fetches_total_count',
    ]);
  });
});
