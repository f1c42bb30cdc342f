// Charges a request's limiters together, so every counter travels to Redis in one round trip.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import { GatewayError } from '../errors/GatewayError';
import type { RequestSpans } from '../telemetry/RequestSpans';
import { GATEWAY_ATTRIBUTES } from '../telemetry/spans';
import { localsOf } from './requestContext';
import { runMiddleware } from './runMiddleware';

/**
 * Every limiter is started in the same tick, so their scripts share one auto-pipelined write to Redis. Resolves with
 * the refusal to throw (the first in list order wins: the IP's before the caller's), or undefined. When several
 * refuse, its Retry-After is the longest of theirs: the request is admitted only once every limit admits it.
 */
export const chargeLimits = (limiters: readonly RequestHandler[], req: Request, res: Response): Promise<unknown> => {
  const trace = localsOf(res).trail.trace;
  return trace === undefined ? charge(limiters, req, res) : traced(trace, limiters, req, res);
};

const charge = async (limiters: readonly RequestHandler[], req: Request, res: Response): Promise<unknown> => {
  const verdicts = await Promise.all(limiters.map((limiter) => runMiddleware(limiter, req, res)));
  const first = verdicts.find((verdict) => verdict !== undefined);
  if (!(first instanceof GatewayError)) return first;
  const longest = Math.max(...verdicts.map((verdict) => (verdict instanceof GatewayError ? (verdict.options.retryAfterSeconds ?? 0) : 0)));
  return longest > (first.options.retryAfterSeconds ?? 0) ? new GatewayError(first.code, { ...first.options, retryAfterSeconds: longest }) : first;
};

/** The round trip as a span of its own: how long the limiters (Redis, with it) took, and which one refused. */
const traced = async (trace: RequestSpans, limiters: readonly RequestHandler[], req: Request, res: Response): Promise<unknown> => {
  const span = trace.child('rate-limit', SpanKind.INTERNAL, { 'gateway.rate_limit.limiters': limiters.length });
  try {
    const refusal = await charge(limiters, req, res);
    span.setAttribute(GATEWAY_ATTRIBUTES.rateLimitOutcome, refusal === undefined ? 'admitted' : 'refused');
    if (refusal instanceof GatewayError) {
      span.setAttribute(GATEWAY_ATTRIBUTES.errorCode, refusal.publicCode);
      if (refusal.options.limiter !== undefined) span.setAttribute(GATEWAY_ATTRIBUTES.limiter, refusal.options.limiter);
      // A refusal is the limiter working; a store that failed with the `closed` policy (503) is the gateway failing.
      if (refusal.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: refusal.publicCode });
    }
    return refusal;
  } finally {
    span.end();
  }
};
