import { loadConfig } from '../../src/config/loadConfig';
import { traceExportOf } from '../../src/telemetry/traceExport';
import { tracingEnabled } from '../../src/telemetry/tracingSwitch';
import { sources } from '../support/configSources';

const tracingOf = (env: Record<string, string>) => loadConfig(sources(env)).config.tracing;
const exportFor = (env: Record<string, string>) => traceExportOf(tracingOf(env));

describe('tracingEnabled', () => {
  it.each([
    ['nothing is set', {}],
    ['only a sampler and a service name are set', { OTEL_TRACES_SAMPLER: 'always_on', OTEL_SERVICE_NAME: 'gw' }],
    ['OTEL_TRACES_EXPORTER is none, even with an endpoint', { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }],
    ['OTEL_SDK_DISABLED is true, even with an exporter and endpoint', { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }],
  ])('is false when %s', (_case, env) => {
    expect(tracingEnabled(tracingOf(env))).toBe(false);
  });

  it.each([
    ['OTEL_TRACES_EXPORTER=otlp', { OTEL_TRACES_EXPORTER: 'otlp' }],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }],
    ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }],
  ])('is true with %s alone', (_case, env) => {
    expect(tracingEnabled(tracingOf(env))).toBe(true);
  });
});

describe('traceExportOf', () => {
  it('exports to the specification default (http://localhost:4318/v1/traces, protobuf, 10 s) when only OTEL_TRACES_EXPORTER=otlp is set', () => {
    expect(exportFor({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({ url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', headers: {}, timeoutMs: 10_000, compression: 'none' });
  });

  it.each([
    ['http://collector:4318', 'http://collector:4318/v1/traces'],
    ['http://collector:4318/', 'http://collector:4318/v1/traces'],
    ['https://gw.example.com/otlp', 'https://gw.example.com/otlp/v1/traces'],
  ])('appends v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT %s', (endpoint, url) => {
    expect(exportFor({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })?.url).toBe(url);
  });

  it('lets the traces-specific variables win and combines both header lists, decoding percent-encoded values', () => {
    expect(
      exportFor({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme,api-key=general',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=traces%3D1',
        OTEL_EXPORTER_OTLP_TIMEOUT: '7000',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
      }),
    ).toEqual({ url: 'http://traces:9999/custom', protocol: 'http/json', headers: { 'x-tenant': 'acme', 'api-key': 'traces=1' }, timeoutMs: 2000, compression: 'gzip' });
  });

  it('falls back to the general protocol, timeout and compression', () => {
    expect(exportFor({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TIMEOUT: '7000', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' })).toMatchObject({
      protocol: 'http/json',
      timeoutMs: 7000,
      compression: 'gzip',
    });
  });
});
