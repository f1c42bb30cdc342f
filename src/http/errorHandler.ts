// The one error middleware: every failure, whatever its origin, leaves as problem+json from the catalogue.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/GatewayError';
import { problemBody } from '../errors/problem';
import { localsOf } from './requestContext';

/** body-parser reports its failures with a `type`; each maps to one catalogue code. */
const BODY_PARSER_ERRORS: Readonly<Record<string, GatewayError['code']>> = {
  'entity.too.large': 'GW.0413',
  'entity.parse.failed': 'GW.0401',
  'encoding.unsupported': 'GW.0415',
  'charset.unsupported': 'GW.0415',
  'entity.verify.failed': 'GW.0400',
  'request.size.invalid': 'GW.0400',
};

/** The router's own refusal of a path parameter that is not valid percent-encoding (`/v3/%/jobs/...`): a 400, not a fault. */
const isUndecodablePath = (error: unknown): boolean => error instanceof URIError && (error as { status?: unknown }).status === 400;

/** body-parser reports a gzip, deflate or br body that does not inflate as a bare 400, with zlib's code and no type. */
const isUndecodableBody = (error: unknown, req: Request): boolean => {
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  return status === 400 && type === undefined && req.headers['content-encoding'] !== undefined;
};

const toGatewayError = (error: unknown, req: Request): GatewayError => {
  if (error instanceof GatewayError) return error;
  if (isUndecodablePath(error)) return new GatewayError('GW.0400', { errors: [{ message: 'the path is not valid percent-encoding' }], cause: error });
  if (isUndecodableBody(error, req)) return new GatewayError('GW.0400', { errors: [{ header: 'Content-Encoding', message: 'the body does not decode with this encoding' }], cause: error });
  const type = (error as { type?: unknown } | null)?.type;
  const code = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  return new GatewayError(code ?? 'GW.5000', { cause: error });
};

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
    if (gatewayError.status >= 500) logger.error(logFields, 'request failed');
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
