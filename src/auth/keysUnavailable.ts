// GW.5000 for "no key to verify with": the fault is the gateway's (JWKS unreachable), not the caller's token.
import { GatewayError } from '../errors/GatewayError';

export const keysUnavailable = (): GatewayError =>
  new GatewayError('GW.5000', {
    detail: {
      'en-us': 'The keys needed to verify the token are temporarily unavailable.',
      'zh-cn': '验证令牌所需的密钥暂时不可用。',
    },
  });
