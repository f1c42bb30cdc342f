// Wraps a span exporter so a collector outage costs one warning and one recovery line, not a line per batch.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface ExportFailureLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const MAX_REASON_LENGTH = 200;

/**
 * What a failure may show: the error's class, its system code (ECONNREFUSED) or HTTP status, and a bounded message.
 * Never the collector's response body (OTLPExporterError keeps it in `data`) and never the export headers, which the
 * exporter does not put in its errors.
 */
const describe = (error: Error | undefined): object => {
  if (!error) return {};
  const { code } = error as { code?: unknown };
  return {
    error: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    reason: error.message.slice(0, MAX_REASON_LENGTH),
  };
};

export const reportExportFailures = (exporter: SpanExporter, logger: ExportFailureLogger): SpanExporter => {
  // Batches lost since the first failure of the current outage; 0 while exports succeed.
  let failedBatches = 0;
  let droppedSpans = 0;
  const observe = (spans: readonly ReadableSpan[], result: ExportResult): void => {
    if (result.code === ExportResultCode.FAILED) {
      if (failedBatches === 0) logger.warn({ ...describe(result.error), spans: spans.length }, 'trace export failed; spans are dropped until the collector accepts them again (logged once per outage)');
      failedBatches += 1;
      droppedSpans += spans.length;
      return;
    }
    if (failedBatches > 0) logger.info({ failedBatches, droppedSpans }, 'trace export recovered');
    failedBatches = 0;
    droppedSpans = 0;
  };
  return {
    export(spans, done) {
      exporter.export(spans, (result) => {
        observe(spans, result);
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
};
