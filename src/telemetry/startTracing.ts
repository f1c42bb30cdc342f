// The OpenTelemetry SDK side of tracing, loaded only when tracing is on: provider, exporter and the request tracer.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, trace, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { withDeadline } from '../time/withDeadline';
import type { Tracing, TracingDeps } from './Tracing';
import { reportExportFailures } from './reportExportFailures';
import type { RequestTracer } from './RequestSpans';
import { resourceAttributesOf, samplerOf, traceExportOf } from './traceExport';
import type { TracingConfig } from './tracingSwitch';

/** The instrumentation scope every gateway span carries. */
export const TRACER_NAME = 'drs-precheck-gateway';

/** Request spans from `tracer`, continuing and passing on W3C trace context (exported for tests that use an in-memory exporter). */
export const createRequestTracer = (tracer: Tracer): RequestTracer => {
  const propagator = new W3CTraceContextPropagator();
  const traceparent = (span: Span): string | undefined => {
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    // Only traceparent: the contract lists exactly what goes upstream, and tracestate is not on that list.
    return carrier.traceparent;
  };
  return {
    begin(name, headers, attributes) {
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
      const parent = trace.setSpan(ROOT_CONTEXT, span);
      return { span, child: (childName, kind, childAttributes) => tracer.startSpan(childName, { kind, attributes: childAttributes }, parent), traceparent };
    },
  };
};

/**
 * Nothing is registered globally (no global tracer provider, context manager or propagator): the provider lives here,
 * its tracer is passed to whoever makes spans, and parents are passed explicitly. Every exporter setting comes from
 * the validated configuration, so what loadConfig checked is what the exporter uses.
 */
export const startTracing = (tracing: TracingConfig, deps: TracingDeps): Tracing => {
  const target = traceExportOf(tracing);
  // The gateway's own agent, so shutdown can close its sockets rather than leave an export to a dead collector open.
  const agent = new URL(target.url).protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const Exporter = target.protocol === 'http/json' ? OtlpJsonExporter : OtlpProtobufExporter;
  const exporter = new Exporter({
    url: target.url,
    headers: target.headers,
    timeoutMillis: target.timeoutMs,
    compression: target.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    httpAgentOptions: async () => agent,
  });
  const { batch } = tracing;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...resourceAttributesOf(tracing),
      [ATTR_SERVICE_NAME]: tracing.serviceName,
      [ATTR_SERVICE_VERSION]: deps.version,
    }),
    sampler: samplerOf(tracing),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: reportExportFailures(exporter, deps.logger),
        scheduledDelayMillis: batch.scheduleDelayMs,
        exportTimeoutMillis: batch.exportTimeoutMs,
        maxQueueSize: batch.maxQueueSize,
        maxExportBatchSize: batch.maxExportBatchSize,
      }),
    ],
  });
  return {
    requests: createRequestTracer(provider.getTracer(TRACER_NAME, deps.version)),
    async shutdown(deadlineMs) {
      try {
        await withDeadline(() => provider.shutdown(), deadlineMs);
      } catch (error) {
        deps.logger.warn({ reason: (error as Error).message, deadlineMs }, 'trace exporter shut down before every span was exported; the rest are dropped');
      } finally {
        agent.destroy();
      }
    },
  };
};
