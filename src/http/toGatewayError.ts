// Whatever a route threw, as the catalogue error the error middleware will answer with.
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

export const toGatewayError = (error: unknown): GatewayError => {
  if (error instanceof GatewayError) return error;
  const type = (error as { type?: unknown } | null)?.type;
  const code = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  return new GatewayError(code ?? 'GW.5000', { cause: error });
};
