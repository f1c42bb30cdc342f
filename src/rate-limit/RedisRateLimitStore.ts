// express-rate-limit Store on Redis: one atomic script per hit, so N instances share one exact fixed window.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { Cluster } from 'ioredis';
import type { Clock } from '../clock';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';
import { countInLua, type TopCallers } from './TopCallers';

/** INCR and set the window's expiry in one step; returns hits and the window's remaining milliseconds. */
const HIT_LUA = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
`;
const HIT = new LuaScript(`${HIT_LUA}return {hits, ttl}`);
/** The same hit, and the request counted among the top callers (KEYS[2]) in the same script: no command of its own. */
const COUNTED_HIT = new LuaScript(`${HIT_LUA}${countInLua('KEYS[2]', 'ARGV[2]', 'ARGV[3]')}return {hits, ttl}`);

/** A caller tier's store counts its hits among the top callers; the IP limiter's does not. */
export interface CountedAs {
  tier: string;
  /** The top callers' window (RATE_LIMIT_WINDOW_MS), whatever the tier's own. */
  windowMs: number;
}

/** A counter and the rest of its window, read together; nil when the window has ended (no key). */
const PEEK = new LuaScript(`
local hits = redis.call('GET', KEYS[1])
if not hits then return nil end
return {tonumber(hits), redis.call('PTTL', KEYS[1])}
`);

const UNDO = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
`);

export class RedisRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly client: RedisClient,
    readonly prefix: string,
    private readonly clock: Clock,
    private readonly counted?: CountedAs & { topCallers: TopCallers },
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const [hits, ttl] = (await this.hit(key)) as [number, number];
    return { totalHits: hits, resetTime: new Date(this.clock.now() + ttl) };
  }

  /** A Cluster keeps the window's set in another slot than the counter, so there the count is a command of its own. */
  private hit(key: string): Promise<unknown> {
    const { counted, client } = this;
    if (counted === undefined || client instanceof Cluster) {
      if (counted !== undefined) counted.topCallers.record(counted.tier, key, counted.windowMs);
      return HIT.run(client, [this.prefix + key], [this.windowMs]);
    }
    const count = counted.topCallers.countOf(counted.tier, key, counted.windowMs);
    return COUNTED_HIT.run(client, [this.prefix + key, count.key], [this.windowMs, count.member, count.ttlMs]);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const counter = (await PEEK.run(this.client, [this.prefix + key], [])) as [number, number] | null;
    return counter === null ? undefined : { totalHits: counter[0], resetTime: new Date(this.clock.now() + counter[1]) };
  }

  async decrement(key: string): Promise<void> {
    await UNDO.run(this.client, [this.prefix + key], []);
  }

  async resetKey(key: string): Promise<void> {
    await this.client.del(this.prefix + key);
  }
}
