// What the composition root holds of tracing: the request tracer (or none) and the exporter's bounded shutdown.
import type { ExportFailureLogger } from './reportExportFailures';
import type { RequestTracer } from './RequestSpans';

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
