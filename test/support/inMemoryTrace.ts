// A request's trace as the gateway builds it, exported to memory: for unit tests of the steps that open spans.
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { RequestSpans } from '../../src/telemetry/RequestSpans';
import { createRequestTracer } from '../../src/telemetry/startTracing';

/** `headers` are the inbound request's (a caller's traceparent, say); finished spans land in `spans` at once. */
export const inMemoryTrace = (headers: Record<string, string> = {}): { spans: InMemorySpanExporter; trace: RequestSpans } => {
  const spans = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  return { spans, trace: createRequestTracer(provider.getTracer('test')).begin('POST', headers, {}) };
};
