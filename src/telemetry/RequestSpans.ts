// One request's spans: its inbound SERVER span, continuing the caller's traceparent, and the spans its steps open under it.
import type { Attributes, Span, SpanKind } from '@opentelemetry/api';

/**
 * Carried on the request's trail only when tracing is on, so a step that finds none does nothing else. Parents are
 * passed explicitly: no context manager (AsyncLocalStorage) is registered and nothing global is read.
 */
export interface RequestSpans {
  /** The inbound request's span. */
  readonly span: Span;
  /** Opens a span whose parent is the inbound one; the caller ends it. */
  child(name: string, kind: SpanKind, attributes: Attributes): Span;
  /** The W3C traceparent naming `span` as the parent, for the request sent on its behalf. */
  traceparent(span: Span): string | undefined;
}

export interface RequestTracer {
  /** Opens a request's SERVER span: a child of the caller's span when `headers` carry a valid traceparent, else a new trace. */
  begin(name: string, headers: Readonly<Record<string, string | string[] | undefined>>, attributes: Attributes): RequestSpans;
}
