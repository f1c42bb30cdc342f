// The gateway's span attributes and how its client spans end; every value is a fixed word, a configured name, an id or a number.
import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';

/** The gateway's own attributes, next to OpenTelemetry's HTTP conventions. Never a token, password, header or body. */
export const GATEWAY_ATTRIBUTES = {
  projectId: 'gateway.project_id',
  region: 'gateway.region',
  /** The code the caller received (the gateway's, or DRS's when passed through). */
  errorCode: 'gateway.error_code',
  /** The refusing limiter by its RateLimit-Policy name. */
  limiter: 'gateway.limiter',
  tokenSource: 'gateway.token_source',
  requestId: 'gateway.request_id',
  /** A route of the DRS route table, or progress-poll (the metric's operation label). */
  drsOperation: 'gateway.drs.operation',
  /** admitted or refused. */
  rateLimitOutcome: 'gateway.rate_limit.outcome',
} as const;

/** Where a client span's requests go: the configured DRS or IAM host (spans go to the operator's collector, never to callers). */
export interface ServerAddress {
  address: string;
  port: number;
}

export const clientAttributes = (server: ServerAddress, extra: Attributes): Attributes => ({
  [ATTR_HTTP_REQUEST_METHOD]: 'POST',
  [ATTR_SERVER_ADDRESS]: server.address,
  [ATTR_SERVER_PORT]: server.port,
  ...extra,
});

/** The code of a GatewayError (duck-typed, so this module depends on nothing of the request path). */
const publicCodeOf = (error: unknown): string | undefined => {
  const code = (error as { publicCode?: unknown } | null)?.publicCode;
  return typeof code === 'string' ? code : undefined;
};

/**
 * `status`: the upstream's answer, when one came; `failure`: what went wrong otherwise (a transport failure kind) or the
 * error the call ended with. From 400 up, or without an answer, the span is an error, as OpenTelemetry's HTTP client
 * conventions have it; its description is the gateway's error code only, never an upstream message.
 */
export const endClientSpan = (span: Span, outcome: { status?: number; failure?: string; error?: unknown }): void => {
  const code = publicCodeOf(outcome.error);
  if (outcome.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
  if (code !== undefined) span.setAttribute(GATEWAY_ATTRIBUTES.errorCode, code);
  const errorType = outcome.failure ?? (outcome.status !== undefined && outcome.status >= 400 ? String(outcome.status) : outcome.error === undefined ? undefined : (code ?? 'error'));
  if (errorType !== undefined) {
    span.setAttribute(ATTR_ERROR_TYPE, errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, ...(code === undefined ? {} : { message: code }) });
  }
  span.end();
};

