// The request limiters: per client IP before authentication, then per caller (`sub`) in the caller's tier.
import { ipKeyGenerator, rateLimit, type AugmentedRequest, type Options, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import type { Caller } from '../auth/Caller';
import { GatewayError } from '../errors/GatewayError';
import type { Clock } from '../clock';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { BlockedIps } from './BlockedIps';

export interface RateLimitTier {
  name: string;
  scope: string;
  max: number;
  windowMs?: number;
}

export interface RateLimitSettings {
  max: number;
  windowMs: number;
  ipMax: number;
  ipWindowMs: number;
  /** First match by scope; a caller with none of the scopes is in the default tier. */
  tiers: readonly RateLimitTier[];
}

/** The default tier's name: RateLimit-Policy, the metrics label and the Redis prefix `gw:rl:caller:` say it. */
export const DEFAULT_TIER = 'caller';

export interface RateLimiters {
  ipLimiter: RateLimitRequestHandler;
  /**
   * The limiters an admitted caller is charged, in the order their refusals win: its IP, then its tier. Built once
   * per tier, so a request allocates no list.
   */
  forCaller(caller: Caller): readonly RateLimitRequestHandler[];
  /**
   * Refuses, before any other work, a client IP the shared limiter already refused and whose window has not
   * ended, so a flood of bad tokens costs no signature check and no Redis round trip. An IPv6 client is judged
   * by its /56, as the limiter counts it.
   */
  ipGate: (req: { ip?: string }, res: { setHeader(name: string, value: string): unknown }) => void;
}

export interface RateLimiterDeps {
  metrics: MetricsHooks;
  clock: Clock;
  /** A shared store (Redis) per limiter name (`ip`, `caller`, or a tier's); without it express-rate-limit counts per instance. */
  storeFor?: (limiter: string) => Store | undefined;
}

/** express-rate-limit's default: an IPv6 client is its /56, since one host can rotate through a whole prefix. */
const IPV6_SUBNET = 56;

/**
 * The key the IP limiter counts a client under; the gate and the progress-stream cap use the same, so rotating
 * addresses inside one prefix is one client everywhere.
 */
export const ipKey = (ip: string): string => ipKeyGenerator(ip, IPV6_SUBNET);

export const createRateLimiters = (settings: RateLimitSettings, deps: RateLimiterDeps): RateLimiters => {
  const blocked = new BlockedIps(deps.clock);
  const common = (identifier: string): Partial<Options> => ({
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier,
    // Each limiter's own property: a request's limiters run together, and one shared `req.rateLimit` would hold
    // whichever wrote last by the time the IP limiter's handler reads its reset time.
    requestPropertyName: `rateLimit:${identifier}`,
    // An open store failure counts zero hits on purpose; that is not the misconfiguration this check looks for.
    validate: { positiveHits: false },
    // express-rate-limit has already set Retry-After; the error middleware writes the body.
    handler: (_req, _res, next) => {
      deps.metrics.limiterRejection(identifier);
      next(new GatewayError('GW.2001', { limiter: identifier }));
    },
  });
  const ipOptions = common('ip');
  const ipLimiter = rateLimit({
    ...ipOptions,
    limit: settings.ipMax,
    windowMs: settings.ipWindowMs,
    ipv6Subnet: IPV6_SUBNET,
    store: deps.storeFor?.('ip'),
    handler: (req, res, next, options) => {
      const resetTime = (req as AugmentedRequest)[options.requestPropertyName]?.resetTime;
      if (req.ip !== undefined && resetTime) blocked.block(ipKey(req.ip), resetTime.getTime());
      ipOptions.handler?.(req, res, next, options);
    },
  });
  const perCaller = (name: string, max: number, windowMs: number): readonly RateLimitRequestHandler[] => [
    ipLimiter,
    rateLimit({
      ...common(name),
      limit: max,
      windowMs,
      store: deps.storeFor?.(name),
      keyGenerator: (_req, res) => (res.locals as { caller?: { sub: string } }).caller?.sub ?? '',
    }),
  ];
  const tiers = settings.tiers.map((tier) => ({ scope: tier.scope, limiters: perCaller(tier.name, tier.max, tier.windowMs ?? settings.windowMs) }));
  const defaultTier = perCaller(DEFAULT_TIER, settings.max, settings.windowMs);
  return {
    ipLimiter,
    forCaller: (caller) => tiers.find((tier) => caller.scopes.has(tier.scope))?.limiters ?? defaultTier,
    ipGate: (req, res) => {
      const retryAfter = req.ip === undefined ? undefined : blocked.retryAfter(ipKey(req.ip));
      if (retryAfter === undefined) return;
      deps.metrics.limiterRejection('ip');
      res.setHeader('Retry-After', String(retryAfter));
      throw new GatewayError('GW.2001', { limiter: 'ip' });
    },
  };
};
