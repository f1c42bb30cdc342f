// GW.1002 with a specific, token-free reason, so callers learn what to fix without the gateway echoing the token.
import { GatewayError } from '../errors/GatewayError';
import type { Localized } from '../errors/catalogue';

const REASONS = {
  malformed: ['The bearer token is not a well-formed JWT.', 'Bearer 令牌不是格式正确的 JWT。'],
  tooLong: ['The bearer token is too long.', 'Bearer 令牌过长。'],
  unsigned: ['Unsigned tokens are not accepted.', '不接受未签名的令牌。'],
  algorithm: ['The token signing algorithm is not accepted.', '不接受该令牌的签名算法。'],
  keyMismatch: ['The token signing algorithm does not match its key.', '令牌的签名算法与其密钥不匹配。'],
  crit: ['The token carries critical header parameters, which are not supported.', '令牌携带了不受支持的关键（crit）头参数。'],
  unknownKey: ['The token signing key is not known.', '令牌的签名密钥未知。'],
  signature: ['The token signature is invalid.', '令牌签名无效。'],
  issuer: ['The token issuer is not accepted.', '不接受该令牌的签发者。'],
  audience: ['The token audience is not accepted.', '不接受该令牌的受众。'],
  notYetValid: ['The token is not valid yet.', '令牌尚未生效。'],
  missingExpiry: ['The token has no expiry time.', '令牌缺少过期时间（exp）。'],
  claims: ['The token claims are malformed.', '令牌声明格式错误。'],
  missingSubject: ['The token has no subject.', '令牌缺少主体（sub）。'],
  invalid: ['The bearer token is not valid.', 'Bearer 令牌无效。'],
} as const satisfies Record<string, readonly [string, string]>;

export type InvalidTokenReason = keyof typeof REASONS;

export const invalidToken = (reason: InvalidTokenReason): GatewayError => {
  const [en, zh] = REASONS[reason];
  const detail: Localized = { 'en-us': en, 'zh-cn': zh };
  return new GatewayError('GW.1002', { detail, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
};
