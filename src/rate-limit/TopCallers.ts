// Requests per caller and tier in fixed windows, for the admin's "top callers": one sorted set per window in Redis, or a map in memory.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';

/**
 * Callers counted per window, at most: past it the least-counted are dropped, so a flood of new `sub`s (each needs a
 * valid token) cannot grow the window's set, and the callers above the cut-off keep their exact counts.
 */
export const MAX_COUNTED_CALLERS = 10_000;

export interface CallerCount {
  sub: string;
  tier: string;
  requests: number;
}

export interface TopCallersAnswer {
  windowMs: number;
  callers: CallerCount[];
}

/** Where one request counts: the current window's set (`gw:top:<windowMs>:<index>`), the member, and the set's expiry. */
export interface TopCount {
  key: string;
  member: string;
  ttlMs: number;
}

export interface TopCallersStore {
  /** Adds one request to the member in the window's set. */
  add(count: TopCount): Promise<void>;
  /** The `n` members of the window's set with the most requests, most first. */
  top(key: string, n: number): Promise<Array<[member: string, requests: number]>>;
}

/**
 * The count in Lua, for this module's script and for the rate-limit store's, which counts inside its own hit. A known
 * member costs one ZINCRBY; only a new one can grow the set, so only then is it capped (past the cap the least
 * counted go) or, as the set's first member, given the expiry that lets it outlive its window by one more, so the last
 * reads of a window still find it. `key`, `member` and `ttl` name Lua expressions.
 */
export const countInLua = (key: string, member: string, ttl: string): string => `
if redis.call('ZINCRBY', ${key}, 1, ${member}) == '1' then
  local members = redis.call('ZCARD', ${key})
  if members == 1 then redis.call('PEXPIRE', ${key}, ${ttl})
  elseif members > ${MAX_COUNTED_CALLERS} then redis.call('ZREMRANGEBYRANK', ${key}, 0, members - ${MAX_COUNTED_CALLERS} - 1) end
end
`;

const ADD = new LuaScript(`${countInLua('KEYS[1]', 'ARGV[1]', 'ARGV[2]')}
return 1
`);

export class RedisTopCallersStore implements TopCallersStore {
  constructor(private readonly client: RedisClient) {}

  async add(count: TopCount): Promise<void> {
    await ADD.run(this.client, [count.key], [count.member, count.ttlMs]);
  }

  async top(key: string, n: number): Promise<Array<[string, number]>> {
    const flat = await this.client.zrevrange(key, 0, n - 1, 'WITHSCORES');
    const pairs: Array<[string, number]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] as string, Number(flat[i + 1])]);
    return pairs;
  }
}

export class MemoryTopCallersStore implements TopCallersStore {
  private current = { key: '', counts: new Map<string, number>() };

  async add({ key, member }: TopCount): Promise<void> {
    const counts = this.window(key);
    counts.set(member, (counts.get(member) ?? 0) + 1);
    // Halving in one sort past the cap keeps an insertion O(log n) amortised, where dropping one at a time would scan.
    if (counts.size > MAX_COUNTED_CALLERS) {
      const kept = [...counts].sort((a, b) => b[1] - a[1]).slice(0, MAX_COUNTED_CALLERS / 2);
      this.current.counts = new Map(kept);
    }
  }

  async top(key: string, n: number): Promise<Array<[string, number]>> {
    if (this.current.key !== key) return [];
    return [...this.current.counts].sort((a, b) => b[1] - a[1]).slice(0, n);
  }

  /** Only the current window is kept: the previous one is dropped as soon as the next begins. */
  private window(key: string): Map<string, number> {
    if (this.current.key !== key) this.current = { key, counts: new Map() };
    return this.current.counts;
  }
}

export interface TopCallersOptions {
  /** Redis when configured; else this instance's memory. */
  store: TopCallersStore;
  clock: Clock;
  metrics: Pick<MetricsHooks, 'storeError'>;
}

/**
 * A `sub` is counted by at most this many characters: past them it is cut and a digest of the whole keeps it apart
 * from others with the same start, so a window's set stays within a few MiB whatever the identity provider issues.
 */
export const MAX_COUNTED_SUB_CHARS = 256;

const countedSub = (sub: string): string =>
  sub.length <= MAX_COUNTED_SUB_CHARS ? sub : `${sub.slice(0, MAX_COUNTED_SUB_CHARS)}…${createHash('sha256').update(sub).digest('hex').slice(0, 16)}`;

/** Tier names have no space (the configuration refuses one), so the first space ends the tier. */
const memberOf = (tier: string, sub: string): string => `${tier} ${countedSub(sub)}`;

const callerOf = ([member, requests]: [string, number]): CallerCount => {
  const space = member.indexOf(' ');
  return { tier: member.slice(0, space), sub: member.slice(space + 1), requests };
};

/**
 * Windows are aligned on the epoch (index = now / windowMs), so every instance counts into the same set without
 * agreeing on anything but the time; they are not the limiters' windows, which start at each caller's first request.
 */
export const createTopCallers = (options: TopCallersOptions) => {
  const { store, clock, metrics } = options;
  const keyOf = (windowMs: number): string => `gw:top:${windowMs}:${Math.floor(clock.now() / windowMs)}`;
  const countOf = (tier: string, sub: string, windowMs: number): TopCount => ({ key: keyOf(windowMs), member: memberOf(tier, sub), ttlMs: 2 * windowMs });
  return {
    /** Where a request of `sub` in `tier` counts now, for a Redis limiter that counts inside its own script. */
    countOf,
    /**
     * Counts one request through the store (memory, or Redis Cluster, whose limiter script cannot reach the window's
     * set in another slot), in the same tick as the limiter's own hit; never awaited, so it adds nothing to the
     * request's wait. A failure loses this one count (the limiter's failover reports the outage) and is counted as a
     * rate-limit store error.
     */
    record(tier: string, sub: string, windowMs: number): void {
      store.add(countOf(tier, sub, windowMs)).catch(() => metrics.storeError('rate-limit'));
    },
    /** Throws what the store throws: the admin route answers for it. */
    async top(n: number, windowMs: number): Promise<TopCallersAnswer> {
      const counted = await store.top(keyOf(windowMs), n);
      return { windowMs, callers: counted.map(callerOf) };
    },
  };
};

export type TopCallers = ReturnType<typeof createTopCallers>;
