// Opens each request's SERVER span (continuing the caller's traceparent) and ends it with what the request did.
import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, HTTP_REQUEST_METHOD_VALUE_OTHER } from '@opentelemetry/semantic-conventions';
import type { NextFunction, Request, Response } from 'express';
import type { RequestSpans, RequestTracer } from '../telemetry/RequestSpans';
import type { RequestTrail } from '../telemetry/RequestTrail';
import { GATEWAY_ATTRIBUTES } from '../telemetry/spans';
import { localsOf } from './requestContext';

/** Probes and scrapes arrive every few seconds from machines, not callers: spans of them would only bury the others. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

/** What the trail learnt, as attributes; undefined values are left out rather than sent empty. */
const trailAttributes = (trail: RequestTrail): Attributes => {
  const attributes: Attributes = {};
  if (trail.projectId !== undefined) attributes[GATEWAY_ATTRIBUTES.projectId] = trail.projectId;
  if (trail.region !== undefined) attributes[GATEWAY_ATTRIBUTES.region] = trail.region;
  if (trail.errorCode !== undefined) attributes[GATEWAY_ATTRIBUTES.errorCode] = trail.errorCode;
  if (trail.limiter !== undefined) attributes[GATEWAY_ATTRIBUTES.limiter] = trail.limiter;
  if (trail.tokenSource !== undefined) attributes[GATEWAY_ATTRIBUTES.tokenSource] = trail.tokenSource;
  return attributes;
};

/** Named `METHOD route-template` once routing has matched (never the raw path, which holds a project id), else `METHOD`. */
const endServerSpan = (span: Span, method: string, req: Request, res: Response, trail: RequestTrail): void => {
  const route: unknown = req.route?.path;
  if (typeof route === 'string') {
    span.updateName(`${method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
  span.setAttributes(trailAttributes(trail));
  // A server span is an error when the gateway failed (5xx), not when it refused a caller (4xx).
  if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(trail.errorCode === undefined ? {} : { message: trail.errorCode }) });
  span.end();
};

/**
 * Only in the chain when tracing is on (createApp leaves it out otherwise), so an untraced gateway runs none of this.
 * The span ends on `close`, which follows `finish` and also comes when the caller went away first.
 */
export const traceRequests = (tracer: RequestTracer) => {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (UNTRACED_PATHS.has(req.path)) return next();
    const method = KNOWN_METHODS.has(req.method) ? req.method : HTTP_REQUEST_METHOD_VALUE_OTHER;
    const locals = localsOf(res);
    const trace: RequestSpans = tracer.begin(method, req.headers, { [ATTR_HTTP_REQUEST_METHOD]: method, [GATEWAY_ATTRIBUTES.requestId]: locals.requestId });
    locals.trail.trace = trace;
    res.once('close', () => endServerSpan(trace.span, method, req, res, locals.trail));
    next();
  };
};
