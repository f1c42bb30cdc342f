import { ConfigHolder } from '../../src/config/ConfigHolder';
import { loadConfig } from '../../src/config/loadConfig';
import { redactConfig } from '../../src/config/redactConfig';
import { configErrorOf, sources } from '../support/configSources';

const tracingOf = (env: Record<string, string>, files?: Record<string, string>) => loadConfig(sources(env, files)).config.tracing;
const problemsOf = (env: Record<string, string>, files?: Record<string, string>) => configErrorOf(sources(env, files)).problems;

describe('the OTEL_* settings', () => {
  it('default to no exporter, the parent-based always-on sampler, the gateway as service and the specification batch sizes', () => {
    expect(tracingOf({})).toEqual({
      sdkDisabled: false,
      sampler: 'parentbased_always_on',
      serviceName: 'drs-precheck-gateway',
      batch: { scheduleDelayMs: 5000, exportTimeoutMs: 30000, maxQueueSize: 2048, maxExportBatchSize: 512 },
    });
  });

  it('reads every OTEL_* variable into the typed configuration', () => {
    const tracing = tracingOf({
      OTEL_SDK_DISABLED: 'FALSE',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=k%3Dv',
      OTEL_EXPORTER_OTLP_TIMEOUT: '7000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'precheck-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_BSP_EXPORT_TIMEOUT: '5000',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50',
    });
    expect(tracing).toEqual({
      sdkDisabled: false,
      exporter: 'otlp',
      endpoint: 'http://collector:4318',
      tracesEndpoint: 'https://traces.example.com/v1/traces',
      protocol: 'http/protobuf',
      tracesProtocol: 'http/json',
      headers: 'x-tenant=acme',
      tracesHeaders: 'api-key=k%3Dv',
      timeoutMs: 7000,
      tracesTimeoutMs: 3000,
      compression: 'none',
      tracesCompression: 'gzip',
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      serviceName: 'precheck-eu',
      resourceAttributes: 'deployment.environment=prod',
      batch: { scheduleDelayMs: 1000, exportTimeoutMs: 5000, maxQueueSize: 100, maxExportBatchSize: 50 },
    });
    expect(tracingOf({ OTEL_SDK_DISABLED: 'True' }).sdkDisabled).toBe(true);
  });

  it('reports every bad OTEL_* value at once, by variable, with a clear word on grpc and never the value', () => {
    const problems = problemsOf({
      OTEL_SDK_DISABLED: 'yes',
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli',
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
    });
    expect(Object.fromEntries(problems.map((p) => [p.key, p.problem]))).toEqual({
      OTEL_SDK_DISABLED: 'must be true or false',
      OTEL_TRACES_EXPORTER: expect.stringContaining('must be otlp or none'),
      OTEL_EXPORTER_OTLP_ENDPOINT: expect.stringContaining('http:// or https://'),
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc is not supported: the gateway exports OTLP over HTTP; use http/protobuf (the default) or http/json',
      OTEL_EXPORTER_OTLP_HEADERS: expect.stringContaining('key=value'),
      OTEL_EXPORTER_OTLP_COMPRESSION: 'must be gzip or none',
      OTEL_TRACES_SAMPLER: expect.stringContaining('parentbased_always_on'),
      OTEL_TRACES_SAMPLER_ARG: 'must be a number from 0 to 1',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'must not exceed OTEL_BSP_MAX_QUEUE_SIZE',
    });
  });

  it('refuses a sampler ratio that is not a number, and an OTLP header without a value, without echoing it', () => {
    const problems = problemsOf({ OTEL_TRACES_SAMPLER_ARG: '0x1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Bearer s3cr3t-key,x-tenant=' });
    expect(problems).toEqual([
      { key: 'OTEL_TRACES_SAMPLER_ARG', problem: 'must be a number' },
      { key: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', problem: expect.stringContaining('values are not shown') },
    ]);
    expect(JSON.stringify(problems)).not.toContain('s3cr3t');
  });

  it('refuses a collector endpoint with user info, naming the variable only', () => {
    const problems = problemsOf({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://user:s3cr3t@collector.example.com/v1/traces' });
    expect(problems).toEqual([{ key: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', problem: expect.stringContaining('user info') }]);
    expect(JSON.stringify(problems)).not.toContain('s3cr3t');
  });

  it('reads the tracing section of the config file under the environment', () => {
    const file = { '/gw.yaml': 'tracing:\n  endpoint: http://collector:4318\n  sampler: always_on\n' };
    expect(tracingOf({ GATEWAY_CONFIG: '/gw.yaml', OTEL_TRACES_SAMPLER: 'always_off' }, file)).toMatchObject({ endpoint: 'http://collector:4318', sampler: 'always_off' });
    expect(problemsOf({ GATEWAY_CONFIG: '/gw.yaml' }, { '/gw.yaml': 'tracing:\n  protocol: grpc\n' })).toEqual([
      { key: 'OTEL_EXPORTER_OTLP_PROTOCOL (or tracing.protocol in GATEWAY_CONFIG)', problem: expect.stringContaining('grpc is not supported') },
    ]);
  });

  it('reads export headers from OTEL_EXPORTER_OTLP_HEADERS_FILE and shows them, and endpoint queries, redacted in /admin/config', () => {
    const { config } = loadConfig(
      sources(
        { OTEL_EXPORTER_OTLP_HEADERS_FILE: '/run/secrets/otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example.com/v1/traces?tenant=s3cr3t-tenant' },
        { '/run/secrets/otlp': 'api-key=s3cr3t-key\n' },
      ),
    );
    expect(config.tracing.headers).toBe('api-key=s3cr3t-key');
    const shown = redactConfig(config) as { tracing: Record<string, unknown> };
    expect(shown.tracing).toMatchObject({ headers: '[redacted]', tracesEndpoint: 'https://collector.example.com/v1/traces?[redacted]' });
    expect(JSON.stringify(shown)).not.toContain('s3cr3t');
  });
});

describe('a reload', () => {
  it('refuses a changed OTEL_* setting, naming it, and keeps the running exporter settings (restart-only)', async () => {
    const files = { '/gw.yaml': 'tracing:\n  sampler: always_on\n' };
    const input = sources({ GATEWAY_CONFIG: '/gw.yaml', JWT_SECRET: 'x'.repeat(40), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, files);
    const holder = new ConfigHolder({ loaded: loadConfig(input), sources: input });
    files['/gw.yaml'] = 'tracing:\n  sampler: always_off\n  endpoint: http://other:4318\n';
    const result = await holder.reload('signal');
    expect(result.ok ? [] : result.problems.map((p) => p.key)).toEqual([
      'tracing.sampler (OTEL_TRACES_SAMPLER)',
      'tracing.endpoint in GATEWAY_CONFIG',
    ]);
    expect(holder.current().config.tracing).toMatchObject({ sampler: 'always_on', endpoint: 'http://collector:4318' });
  });
});
