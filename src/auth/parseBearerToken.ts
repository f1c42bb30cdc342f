// Extracts the JWT from an Authorization header, rejecting anything that is not a compact JWS before it is decoded.
import { GatewayError } from '../errors/GatewayError';
import { invalidToken } from './invalidToken';

/** Far above any real token; bounds the work an attacker can make the gateway do per request. */
export const MAX_TOKEN_LENGTH = 8192;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const noBearerToken = (nonBearerScheme: boolean): GatewayError =>
  new GatewayError('GW.1001', {
    headers: { 'WWW-Authenticate': 'Bearer' },
    ...(nonBearerScheme && {
      detail: {
        'en-us': 'The Authorization header does not use the Bearer scheme.',
        'zh-cn': 'Authorization 头未使用 Bearer 认证方案。',
      },
    }),
  });

export const parseBearerToken = (authorization: string | undefined): string => {
  const value = authorization?.trim() ?? '';
  if (value === '') throw noBearerToken(false);
  const space = value.search(/\s/);
  const scheme = space < 0 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw noBearerToken(true);
  const token = space < 0 ? '' : value.slice(space + 1).trim();
  if (token === '') throw noBearerToken(false);
  if (token.length > MAX_TOKEN_LENGTH) throw invalidToken('tooLong');
  if (!COMPACT_JWS.test(token)) throw invalidToken('malformed');
  return token;
};
