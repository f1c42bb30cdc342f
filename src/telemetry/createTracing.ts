// Builds the OpenTelemetry tracer the composition root hands down, or nothing at all when tracing is off.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { withDeadline } from '../auth/withDeadline';
import { reportExportFailures, type ExportFailureLogger } from './reportExportFailures';
import { resourceAttributesOf, samplerOf, traceExportOf, type TracingConfig } from './traceExport';

export interface Tracing {
  /**
   * Undefined when tracing is off: the request path tests this once and then touches no OpenTelemetry object, so an
   * unconfigured gateway allocates nothing for traces (no span, no context, no AsyncLocalStorage).
   */
  readonly tracer?: Tracer;
  /** Exports what is queued and closes the exporter, giving up after `deadlineMs` (an unreachable collector never holds a shutdown). */
  shutdown(deadlineMs: number): Promise<void>;
}

export interface TracingDeps {
  /** The running gateway's version, service.version on every span. */
  version: string;
  logger: ExportFailureLogger;
}

/** The instrumentation scope every gateway span carries. */
export const TRACER_NAME = 'drs-precheck-gateway';

const OFF: Tracing = { tracer: undefined, shutdown: async () => undefined };

/**
 * Nothing is registered globally (no global tracer provider, context manager or propagator): the provider lives here,
 * its tracer is passed to whoever makes spans, and parents are passed explicitly. Every exporter setting comes from
 * the validated configuration, so what loadConfig checked is what the exporter uses.
 */
export const createTracing = (tracing: TracingConfig, deps: TracingDeps): Tracing => {
  const target = traceExportOf(tracing);
  if (!target) return OFF;
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
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...resourceAttributesOf(tracing),
      [ATTR_SERVICE_NAME]: tracing.serviceName,
      [ATTR_SERVICE_VERSION]: deps.version,
    }),
    sampler: samplerOf(tracing),
    spanProcessors: [
      new BatchSpanProcessor(reportExportFailures(exporter, deps.logger), {
        scheduledDelayMillis: batch.scheduleDelayMs,
        exportTimeoutMillis: batch.exportTimeoutMs,
        maxQueueSize: batch.maxQueueSize,
        maxExportBatchSize: batch.maxExportBatchSize,
      }),
    ],
  });
  return {
    tracer: provider.getTracer(TRACER_NAME, deps.version),
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
