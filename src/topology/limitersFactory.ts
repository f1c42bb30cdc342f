// The request limiters of one set of limits: the IP's, the default tier's and each configured tier's.
import type { GatewayConfig } from '../config/schema';
import { createRateLimiters, type RateLimiters, type RateLimitSettings } from '../rate-limit/createRateLimiters';
import type { PieceFactory } from './Pool';
import type { RuntimeServices } from './Runtime';

export const limitersFactory = (services: RuntimeServices) => ({
  name: 'limiters',
  select: ({ rateLimit: { max, windowMs, ipMax, ipWindowMs, tiers } }: GatewayConfig): RateLimitSettings => ({ max, windowMs, ipMax, ipWindowMs, tiers }),
  build: (settings: RateLimitSettings) => ({
    value: createRateLimiters(settings, {
      metrics: services.metrics,
      clock: services.clock,
      // The built-in limiters keep their keys (gw:rl:ip:, gw:rl:caller:); a tier counts under gw:rl:tier:<name>:.
      storeFor: (name) => services.stores.rateLimit(name === 'ip' || name === 'caller' ? name : `tier:${name}`),
    }),
    close: () => undefined,
  }),
}) satisfies PieceFactory<GatewayConfig, [], RateLimitSettings, RateLimiters>;
