// The request limiters: per client IP before authentication, then per caller (`sub`) in the caller's tier.
import { ipKeyGenerator, MemoryStore, rateLimit, type AugmentedRequest, type ClientRateLimitInfo, type Options, type RateLimitRequestHandler, type Store } from 'express-rate-limit';
import type { Caller } from '../auth/Caller';
import { GatewayError } from '../errors/GatewayError';
import type { Clock } from '../clock';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { needingStore } from '../failover/StoreFailover';
import { BlockedIps } from './BlockedIps';
import type { CountedAs } from './RedisRateLimitStore';
import type { TopCallers, TopCallersAnswer } from './TopCallers';

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

/** A caller's counter in one tier, as the admin routes show it. */
export interface TierUsage {
  name: string;
  limit: number;
  windowMs: number;
  remaining: number;
  /** Milliseconds until the caller's window in this tier ends. */
  resetMs: number;
}

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
  ipGate: (req: { ip?: string }) => void;
  /**
   * The caller's counter in each tier (the default one first) that has one in its current window: a caller's scopes,
   * hence its tier, are known only from its token, so every tier is read. Shared counts when Redis is configured;
   * a Redis failure is 503 GW.5030.
   */
  usageOf(sub: string): Promise<TierUsage[]>;
  /** Drops the caller's counter in every tier, shared and in this instance's memory; 503 GW.5030 when Redis fails. */
  resetCaller(sub: string): Promise<void>;
  /** The `n` callers (sub and tier) with the most requests charged in the current window of RATE_LIMIT_WINDOW_MS. */
  topCallers(n: number): Promise<TopCallersAnswer>;
}

export interface RateLimiterDeps {
  metrics: MetricsHooks;
  clock: Clock;
  /**
   * A shared store (Redis) per limiter name (`ip`, `caller`, or a tier's), which counts a caller tier's hits among the
   * top callers itself (inside its hit script); without it each limiter counts in memory.
   */
  storeFor?: (limiter: string, counted?: CountedAs) => Store | undefined;
  /** The top callers, counted here when a tier's limiter counts in memory. */
  topCallers: TopCallers;
}

/** express-rate-limit's default: an IPv6 client is its /56, since one host can rotate through a whole prefix. */
const IPV6_SUBNET = 56;

/**
 * The key the IP limiter counts a client under; the gate and the progress-stream cap use the same, so rotating
 * addresses inside one prefix is one client everywhere.
 */
export const ipKey = (ip: string): string => ipKeyGenerator(ip, IPV6_SUBNET);

/** Adds each hit of a memory store to the top callers as it is charged. */
const countedStore = (store: Store, onHit: (key: string) => void): Store => ({
  localKeys: store.localKeys,
  prefix: store.prefix,
  init: (options) => store.init?.(options),
  get: (key) => store.get?.(key),
  increment(key) {
    onHit(key);
    return store.increment(key);
  },
  decrement: (key) => store.decrement(key),
  resetKey: (key) => store.resetKey(key),
  shutdown: () => store.shutdown?.(),
});

const usageOf = (tier: { name: string; max: number; windowMs: number }, counter: ClientRateLimitInfo | undefined, now: number): TierUsage | undefined => {
  const resetMs = counter?.resetTime === undefined ? 0 : counter.resetTime.getTime() - now;
  if (counter === undefined || resetMs <= 0) return undefined;
  return { name: tier.name, limit: tier.max, windowMs: tier.windowMs, remaining: Math.max(0, tier.max - counter.totalHits), resetMs };
};

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
    // express-rate-limit has just set this limiter's Retry-After. It is read back into the error at once, because a
    // second limiter refusing the same request overwrites the header; chargeLimits keeps the longer wait.
    handler: (_req, res, next) => {
      deps.metrics.limiterRejection(identifier);
      next(new GatewayError('GW.2001', { limiter: identifier, retryAfterSeconds: Number(res.getHeader('Retry-After')) }));
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
  const perCaller = (name: string, max: number, windowMs: number) => {
    const shared = deps.storeFor?.(name, { tier: name, windowMs: settings.windowMs });
    const store = shared ?? new MemoryStore();
    const limiter = rateLimit({
      ...common(name),
      limit: max,
      windowMs,
      store: shared ?? countedStore(store, (sub) => deps.topCallers.record(name, sub, settings.windowMs)),
      keyGenerator: (_req, res) => (res.locals as { caller?: { sub: string } }).caller?.sub ?? '',
    });
    return { name, max, windowMs, store, limiters: [ipLimiter, limiter] as const };
  };
  const defaultTier = perCaller(DEFAULT_TIER, settings.max, settings.windowMs);
  const tiers = settings.tiers.map((tier) => ({ scope: tier.scope, ...perCaller(tier.name, tier.max, tier.windowMs ?? settings.windowMs) }));
  const everyTier = [defaultTier, ...tiers];
  return {
    ipLimiter,
    forCaller: (caller) => (tiers.find((tier) => caller.scopes.has(tier.scope)) ?? defaultTier).limiters,
    ipGate: (req) => {
      const retryAfter = req.ip === undefined ? undefined : blocked.retryAfter(ipKey(req.ip));
      if (retryAfter === undefined) return;
      deps.metrics.limiterRejection('ip');
      throw new GatewayError('GW.2001', { limiter: 'ip', retryAfterSeconds: retryAfter });
    },
    usageOf: (sub) =>
      needingStore(async () => {
        const counters = await Promise.all(everyTier.map((tier) => tier.store.get?.(sub)));
        const now = deps.clock.now();
        return everyTier.flatMap((tier, i) => usageOf(tier, counters[i], now) ?? []);
      }),
    resetCaller: (sub) => needingStore(async () => void (await Promise.all(everyTier.map((tier) => tier.store.resetKey(sub))))),
    topCallers: (n) => needingStore(() => deps.topCallers.top(n, settings.windowMs)),
  };
};
