import { SpanStatusCode } from '@opentelemetry/api';
import { loadConfig } from '../../src/config/loadConfig';
import { createTracing } from '../../src/telemetry/createTracing';
import type { Tracing } from '../../src/telemetry/Tracing';
import { TRACER_NAME } from '../../src/telemetry/startTracing';
import { GATEWAY_VERSION } from '../../src/version';
import { sources } from '../support/configSources';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlpReceiver';
import { freePort } from '../support/redis';

interface Logged {
  level: 'warn' | 'info';
  obj: object;
  msg: string;
}

const recordingLogger = () => {
  const entries: Logged[] = [];
  return {
    entries,
    logger: {
      warn: (obj: object, msg: string) => entries.push({ level: 'warn', obj, msg }),
      info: (obj: object, msg: string) => entries.push({ level: 'info', obj, msg }),
    },
  };
};

const tracingFrom = (env: Record<string, string>, logger = recordingLogger().logger): Promise<Tracing> => createTracing(loadConfig(sources(env)).config.tracing, { version: GATEWAY_VERSION, logger });

/** An inbound request's span, as the gateway opens one. */
const recordOne = (tracing: Tracing, name = 'POST /v3/:project_id/jobs/batch-precheck') => {
  if (!tracing.requests) throw new Error('tracing is off');
  const { span } = tracing.requests.begin(name, {}, { 'http.request.method': 'POST', 'http.route': '/v3/:project_id/jobs/batch-precheck' });
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  return span.spanContext();
};

/** Whether a new request span is recorded, for a caller's traceparent (or none). */
const recorded = (tracing: Tracing, traceparent?: string) => {
  const { span } = tracing.requests!.begin('GET', traceparent === undefined ? {} : { traceparent }, {});
  const recording = span.isRecording();
  span.end();
  return recording;
};

describe('createTracing', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('gives no tracer when no exporter is configured, and its shutdown does nothing', async () => {
    const tracing = await tracingFrom({ OTEL_SERVICE_NAME: 'gw', OTEL_TRACES_SAMPLER: 'always_on' });
    expect(tracing.requests).toBeUndefined();
    await tracing.shutdown(100);
    expect(receiver.requestCount()).toBe(0);
  });

  it.each([
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ])('exports spans over OTLP %s with the service name, version and export headers from the configuration', async (protocol, contentType) => {
    const tracing = await tracingFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k3y',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,service.name=not-this-one',
    });
    const sent = recordOne(tracing);
    await tracing.shutdown(5_000);
    expect(receiver.exports.map((e) => [e.contentType, e.headers['x-collector-key']])).toEqual([[contentType, 'k3y']]);
    expect(receiver.spans()).toEqual([
      {
        traceId: sent.traceId,
        spanId: sent.spanId,
        name: 'POST /v3/:project_id/jobs/batch-precheck',
        kind: 'SERVER',
        attributes: { 'http.request.method': 'POST', 'http.route': '/v3/:project_id/jobs/batch-precheck' },
        status: { code: 'ERROR' },
        resource: expect.objectContaining({ 'service.name': 'drs-precheck-gateway', 'service.version': GATEWAY_VERSION, 'deployment.environment': 'test' }),
        scope: { name: TRACER_NAME, version: GATEWAY_VERSION },
      },
    ]);
  });

  it('posts to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, gzip-compressed when asked, under OTEL_SERVICE_NAME', async () => {
    const tracing = await tracingFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl, OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip', OTEL_SERVICE_NAME: 'precheck-eu' });
    recordOne(tracing);
    await tracing.shutdown(5_000);
    expect(receiver.exports.map((e) => e.contentEncoding)).toEqual(['gzip']);
    expect(receiver.spans()[0]?.resource['service.name']).toBe('precheck-eu');
  });

  it("continues a caller's sampled trace by default and leaves an unsampled one unrecorded (parentbased_always_on)", async () => {
    const tracing = await tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    const caller = (flags: string) => `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flags}`;
    expect([recorded(tracing, caller('01')), recorded(tracing, caller('00')), recorded(tracing)]).toEqual([true, false, true]);
    await tracing.shutdown(5_000);
    expect(receiver.spans().map((s) => [s.traceId, s.parentSpanId])).toEqual([
      ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'],
      [expect.not.stringMatching('4bf92f3577b34da6a3ce929d0e0e4736'), undefined],
    ]);
  });

  it('samples nothing with OTEL_TRACES_SAMPLER=always_off and new roots by ratio with traceidratio', async () => {
    const off = await tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_off' });
    const none = await tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    const all = await tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' });
    const count = (tracing: Tracing) => Array.from({ length: 20 }, () => recorded(tracing)).filter(Boolean).length;
    expect([count(off), count(none), count(all)]).toEqual([0, 0, 20]);
    // The parent-based ratio sampler still follows a sampled caller.
    expect(recorded(none, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(true);
    await Promise.all([off.shutdown(1_000), none.shutdown(1_000), all.shutdown(1_000)]);
  });

  it('logs an export refused by the collector once, with its status and without the export headers or body', async () => {
    receiver.answer(400);
    const { entries, logger } = recordingLogger();
    const tracing = await tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=s3cr3t-k3y' }, logger);
    recordOne(tracing);
    await tracing.shutdown(5_000);
    expect(entries).toEqual([
      { level: 'warn', obj: expect.objectContaining({ code: 400, spans: 1 }), msg: expect.stringContaining('trace export failed') },
      { level: 'warn', obj: expect.anything(), msg: expect.stringContaining('shut down before every span was exported') },
    ]);
    expect(JSON.stringify(entries)).not.toContain('s3cr3t');
  });

  it('finishes shutdown by its deadline when the collector accepts connections and never answers', async () => {
    receiver.answer('hang');
    const { entries, logger } = recordingLogger();
    const tracing = await tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' }, logger);
    recordOne(tracing);
    const started = Date.now();
    await tracing.shutdown(300);
    // The deadline is 300 ms; the bound is generous for a loaded machine, and far below the exporter's own 30 s batch timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(receiver.requestCount()).toBeGreaterThanOrEqual(1);
    expect(entries.map((e) => e.msg)).toEqual([expect.stringContaining('shut down before every span was exported')]);
  });

  it('finishes shutdown by its deadline when nothing listens at the collector address', async () => {
    const tracing = await tracingFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    recordOne(tracing);
    const started = Date.now();
    await tracing.shutdown(300);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
