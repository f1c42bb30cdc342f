// The two request limiters: per client IP before authentication, per caller (`sub`) after it.
import { rateLimit, type Options, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import { GatewayError } from '../errors/GatewayError';
import type { MetricsHooks } from '../metrics/MetricsHooks';

export interface RateLimitSettings {
  max: number;
  windowMs: number;
  ipMax: number;
  ipWindowMs: number;
}

export interface RateLimiters {
  ipLimiter: RateLimitRequestHandler;
  callerLimiter: RateLimitRequestHandler;
}

export interface RateLimiterDeps {
  metrics: MetricsHooks;
  /** Shared stores (Redis); without them express-rate-limit's in-memory store counts per instance. */
  stores?: { ip: Store; caller: Store };
}

export const createRateLimiters = (settings: RateLimitSettings, deps: RateLimiterDeps): RateLimiters => {
  const common = (identifier: string): Partial<Options> => ({
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier,
    // An open store failure counts zero hits on purpose; that is not the misconfiguration this check looks for.
    validate: { positiveHits: false },
    // express-rate-limit has already set Retry-After; the error middleware writes the body.
    handler: (_req, _res, next) => {
      deps.metrics.limiterRejection(identifier);
      next(new GatewayError('GW.2001'));
    },
  });
  return {
    ipLimiter: rateLimit({ ...common('ip'), limit: settings.ipMax, windowMs: settings.ipWindowMs, store: deps.stores?.ip }),
    callerLimiter: rateLimit({
      ...common('caller'),
      limit: settings.max,
      windowMs: settings.windowMs,
      store: deps.stores?.caller,
      keyGenerator: (_req, res) => (res.locals as { caller?: { sub: string } }).caller?.sub ?? '',
    }),
  };
};
