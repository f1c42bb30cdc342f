// Whether the OTEL_* settings turn tracing on: read before anything of the OpenTelemetry SDK is loaded.
import type { GatewayConfig } from '../config/schema';

export type TracingConfig = GatewayConfig['tracing'];

/**
 * Off when OTEL_SDK_DISABLED is true, OTEL_TRACES_EXPORTER is none, or neither it nor an OTLP endpoint is set: an
 * operator who configured nothing pays nothing.
 */
export const tracingEnabled = (tracing: TracingConfig): boolean =>
  !tracing.sdkDisabled && tracing.exporter !== 'none' && (tracing.exporter !== undefined || tracing.endpoint !== undefined || tracing.tracesEndpoint !== undefined);
