// Idempotency records in Redis, so a key holds across every instance, and (with replica acknowledgements) across a
// failover to a replica.
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

/**
 * Redis replicates asynchronously: a record the master took can die with it, and the promoted replica then lets a
 * repeat of the key start DRS again. With `replicas` > 0, every write waits (WAIT) until that many replicas hold it.
 */
export interface ReplicaAcks {
  replicas: number;
  timeoutMs: number;
}

export class IdempotencyNotReplicatedError extends Error {
  constructor(step: 'claim' | 'record', acked: number, wanted: number) {
    super(`idempotency ${step} acknowledged by ${acked} of ${wanted} replicas in time`);
    this.name = 'IdempotencyNotReplicatedError';
  }
}

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: RedisClient,
    private readonly acks: ReplicaAcks = { replicas: 0, timeoutMs: 0 },
  ) {}

  /** How many replicas hold every write this connection made so far (WAIT); not asked when none is wanted. */
  private async replicated(): Promise<number> {
    if (this.acks.replicas === 0) return 0;
    return this.client.wait(this.acks.replicas, this.acks.timeoutMs);
  }

  /**
   * A claim no replica acknowledged is withdrawn and reported as a store failure, so RATE_LIMIT_ON_STORE_ERROR decides
   * (`closed`: 503 GW.5030 before DRS is called): nothing has started yet, so refusing is still safe.
   */
  async claim(key: string, fingerprint: string, inFlightTtlMs: number): Promise<IdempotencyRecord | undefined> {
    const existing = await CLAIM.run(this.client, [key], [encodeRecord({ state: 'in-flight', fingerprint }), inFlightTtlMs]);
    if (typeof existing === 'string') return decodeRecord(existing);
    const acked = await this.replicated();
    if (acked < this.acks.replicas) {
      await this.client.del(key);
      throw new IdempotencyNotReplicatedError('claim', acked, this.acks.replicas);
    }
    return undefined;
  }

  /** DRS has been called by now: an unacknowledged record cannot be undone, only reported (the documented window). */
  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    await this.client.set(key, encodeRecord({ state: 'done', fingerprint, response }), 'PX', ttlMs);
    const acked = await this.replicated();
    if (acked < this.acks.replicas) throw new IdempotencyNotReplicatedError('record', acked, this.acks.replicas);
  }

  async release(key: string): Promise<void> {
    await this.client.del(key);
  }
}
