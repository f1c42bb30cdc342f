// Whatever a route threw, as the catalogue error the error middleware will answer with.
import type { Request } from 'express';
import { GatewayError } from '../errors/GatewayError';

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
const isUndecodableBody = (error: unknown, req: Pick<Request, 'headers'>): boolean => {
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  return status === 400 && type === undefined && req.headers['content-encoding'] !== undefined;
};

export const toGatewayError = (error: unknown, req: Pick<Request, 'headers'>): GatewayError => {
  if (error instanceof GatewayError) return error;
  if (isUndecodablePath(error)) return new GatewayError('GW.0400', { errors: [{ message: 'the path is not valid percent-encoding' }], cause: error });
  if (isUndecodableBody(error, req)) return new GatewayError('GW.0400', { errors: [{ header: 'Content-Encoding', message: 'the body does not decode with this encoding' }], cause: error });
  const type = (error as { type?: unknown } | null)?.type;
  const code = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  return new GatewayError(code ?? 'GW.5000', { cause: error });
};
