// The one error middleware: every failure, whatever its origin, leaves as problem+json from the catalogue.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/GatewayError';
import { problemBody } from '../errors/problem';
import { localsOf } from './requestContext';
import { toGatewayError } from './toGatewayError';

/**
 * 5xx answers that are the gateway protecting itself rather than failing: one error line per shed request would add
 * to the very load being shed (the access line records each, and the change of state is logged once).
 */
const REFUSALS_AT_5XX: ReadonlySet<string> = new Set(['GW.5031']);

/** Body bytes still on their way that nothing will read (a refusal answered before the body arrived). */
const bodyUnread = (req: Request): boolean =>
  !req.complete && (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0'));

const causeSummary = (error: GatewayError): string | undefined => {
  const cause = error.options.cause;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined;
};

export const createErrorHandler = (logger: Logger, typeBase: string) =>
  (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const gatewayError = toGatewayError(error, req);
    const locals = localsOf(res);
    locals.trail.errorCode = gatewayError.publicCode;
    locals.trail.limiter = gatewayError.options.limiter;
    const logFields = { requestId: locals.requestId, code: gatewayError.publicCode, status: gatewayError.status, cause: causeSummary(gatewayError) };
    if (gatewayError.status >= 500 && !REFUSALS_AT_5XX.has(gatewayError.code)) logger.error(logFields, 'request failed');
    else logger.debug(logFields, 'request refused');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Node would otherwise keep reading (and discarding) a slow body to reuse the connection; closing it after the
    // answer stops a client from holding the socket open with a body the gateway has already refused.
    if (bodyUnread(req)) res.setHeader('Connection', 'close');
    for (const [name, value] of Object.entries(gatewayError.options.headers ?? {})) res.setHeader(name, value);
    if (gatewayError.options.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(gatewayError.options.retryAfterSeconds));
    const body = problemBody(gatewayError, {
      instance: req.originalUrl.split('?')[0] ?? '/',
      requestId: locals.requestId,
      language: locals.language,
      typeBase,
    });
    res.status(gatewayError.status).setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.end(JSON.stringify(body));
  };
