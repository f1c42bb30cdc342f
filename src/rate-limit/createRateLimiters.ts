// The two request limiters: per client IP before authentication, per caller (`sub`) after it.
import { rateLimit, type Options, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import { GatewayError } from '../errors/GatewayError';

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

export interface RateLimiterStores {
  /** Defaults to express-rate-limit's in-memory store (one instance). */
  ip?: Store;
  caller?: Store;
}

const common = (identifier: string): Partial<Options> => ({
  standardHeaders: 'draft-8',
  legacyHeaders: false,
  identifier,
  // express-rate-limit has already set Retry-After; the error middleware writes the body.
  handler: (_req, _res, next) => next(new GatewayError('GW.2001')),
});

export const createRateLimiters = (settings: RateLimitSettings, stores: RateLimiterStores = {}): RateLimiters => ({
  ipLimiter: rateLimit({ ...common('ip'), limit: settings.ipMax, windowMs: settings.ipWindowMs, store: stores.ip }),
  callerLimiter: rateLimit({
    ...common('caller'),
    limit: settings.max,
    windowMs: settings.windowMs,
    store: stores.caller,
    keyGenerator: (_req, res) => (res.locals as { caller?: { sub: string } }).caller?.sub ?? '',
  }),
});
