// express-rate-limit Store on Redis: one atomic script per hit, so N instances share one exact fixed window.
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Clock } from '../clock';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';

/** INCR and set the window's expiry in one step; returns hits and the window's remaining milliseconds. */
const HIT = new LuaScript(`
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}
`);

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
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const [hits, ttl] = (await HIT.run(this.client, [this.prefix + key], [this.windowMs])) as [number, number];
    return { totalHits: hits, resetTime: new Date(this.clock.now() + ttl) };
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
