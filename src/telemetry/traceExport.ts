// Turns the typed OTEL_* settings into where and how traces are exported, which are sampled, and the resource.
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import type { TracingConfig } from './tracingSwitch';

export interface TraceExport {
  /** Where the batches are posted. */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  timeoutMs: number;
  compression: 'gzip' | 'none';
}

/** The OpenTelemetry specification's defaults for an OTLP/HTTP exporter. */
const DEFAULT_ENDPOINT = 'http://localhost:4318';
const DEFAULT_TIMEOUT_MS = 10_000;
const TRACES_PATH = 'v1/traces';

/** OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: traces go to its path plus v1/traces, whether or not it ends in a slash. */
const tracesUrlUnder = (base: string): string => `${base.endsWith('/') ? base : `${base}/`}${TRACES_PATH}`;

/**
 * Where and how spans go once tracing is on (tracingEnabled). The traces-specific variables win over the general ones,
 * as the specification orders them; headers of both are combined.
 */
export const traceExportOf = (tracing: TracingConfig): TraceExport => ({
  url: tracing.tracesEndpoint ?? tracesUrlUnder(tracing.endpoint ?? DEFAULT_ENDPOINT),
  protocol: tracing.tracesProtocol ?? tracing.protocol ?? 'http/protobuf',
  headers: { ...parseKeyPairsIntoRecord(tracing.headers), ...parseKeyPairsIntoRecord(tracing.tracesHeaders) },
  timeoutMs: tracing.tracesTimeoutMs ?? tracing.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  compression: tracing.tracesCompression ?? tracing.compression ?? 'none',
});

/** OTEL_TRACES_SAMPLER and its ratio, built here because the SDK falls back silently on a value it does not know. */
export const samplerOf = (tracing: Pick<TracingConfig, 'sampler' | 'samplerArg'>): Sampler => {
  const ratio = () => new TraceIdRatioBasedSampler(tracing.samplerArg ?? 1);
  switch (tracing.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
  }
};

/** OTEL_RESOURCE_ATTRIBUTES as a record (the specification's key=value list, values percent-decoded). */
export const resourceAttributesOf = (tracing: Pick<TracingConfig, 'resourceAttributes'>): Record<string, string> => parseKeyPairsIntoRecord(tracing.resourceAttributes);
