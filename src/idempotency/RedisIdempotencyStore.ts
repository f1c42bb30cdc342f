// Idempotency records in Redis, so a key holds across every instance.
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';
import { decodeRecord, encodeRecord, type IdempotencyRecord, type IdempotencyStore, type StoredResponse } from './IdempotencyStore';

/** Returns the existing record, or writes the claim and returns nothing: no window between look and claim. */
const CLAIM = new LuaScript(`
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`);

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(private readonly client: RedisClient) {}

  async claim(key: string, fingerprint: string, inFlightTtlMs: number): Promise<IdempotencyRecord | undefined> {
    const existing = await CLAIM.run(this.client, [key], [encodeRecord({ state: 'in-flight', fingerprint }), inFlightTtlMs]);
    return typeof existing === 'string' ? decodeRecord(existing) : undefined;
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    await this.client.set(key, encodeRecord({ state: 'done', fingerprint, response }), 'PX', ttlMs);
  }

  async release(key: string): Promise<void> {
    await this.client.del(key);
  }
}
