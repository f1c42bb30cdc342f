// One request's trace: its inbound SERVER span, continuing the caller's traceparent, and the spans its steps open under it.
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Carried on the request's trail only when tracing is on, so a step that finds none does nothing else. Parents are
 * passed explicitly: no context manager (AsyncLocalStorage) is registered and nothing global is read.
 */
export interface RequestTrace {
  /** The inbound request's span. */
  readonly span: Span;
  /** Opens a span whose parent is the inbound one; the caller ends it. */
  child(name: string, kind: SpanKind, attributes: Attributes): Span;
  /** The W3C traceparent naming `span` as the parent, for the request sent on its behalf. */
  traceparent(span: Span): string | undefined;
}

export interface RequestTracer {
  /** Opens a request's SERVER span: a child of the caller's span when `headers` carry a valid traceparent, else a new trace. */
  begin(name: string, headers: Readonly<Record<string, string | string[] | undefined>>, attributes: Attributes): RequestTrace;
}

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
