// Builds the tracing the composition root hands down, or nothing at all (no SDK loaded) when tracing is off.
import type { ExportFailureLogger } from './reportExportFailures';
import type { RequestTracer } from './RequestTrace';
import { tracingEnabled, type TracingConfig } from './tracingSwitch';

export interface Tracing {
  /**
   * Undefined when tracing is off: the request path then runs no tracing code at all (createApp leaves the inbound
   * middleware out, and each later step finds no trace on the request's trail), so it allocates nothing for traces.
   */
  readonly requests?: RequestTracer;
  /** Exports what is queued and closes the exporter, giving up after `deadlineMs` (an unreachable collector never holds a shutdown). */
  shutdown(deadlineMs: number): Promise<void>;
}

export interface TracingDeps {
  /** The running gateway's version, service.version on every span. */
  version: string;
  logger: ExportFailureLogger;
}

const OFF: Tracing = { requests: undefined, shutdown: async () => undefined };

/**
 * The SDK, its exporters and their protobuf code (about 1.5 MB of heap) are loaded only when tracing is on, so an
 * untraced gateway's memory is what it was before tracing existed.
 */
export const createTracing = async (tracing: TracingConfig, deps: TracingDeps): Promise<Tracing> => {
  if (!tracingEnabled(tracing)) return OFF;
  const { startTracing } = await import('./startTracing');
  return startTracing(tracing, deps);
};
