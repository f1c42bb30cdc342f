// Caps the progress streams open at once per caller and per client IP: leases in Redis (all instances) or in memory.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';
import { GatewayError } from '../errors/GatewayError';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';

export interface StreamSlotStore {
  /** Adds the stream's lease unless `max` unexpired leases are held already; true when added. */
  acquire(key: string, streamId: string, max: number, now: number, leaseMs: number): Promise<boolean>;
  /** Extends a held lease; a lease that has lapsed meanwhile is not revived. */
  renew(key: string, streamId: string, now: number, leaseMs: number): Promise<void>;
  release(key: string, streamId: string): Promise<void>;
}

/**
 * One sorted set per caller or IP, scored by lease expiry: lapsed leases (streams of a crashed instance) are dropped,
 * counted and added in one step, so concurrent openings on any instance never pass the cap.
 */
const ACQUIRE = new LuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`);

const RENEW = new LuaScript(`
if redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[1], ARGV[2]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
`);

export class RedisStreamSlotStore implements StreamSlotStore {
  constructor(private readonly client: RedisClient) {}

  async acquire(key: string, streamId: string, max: number, now: number, leaseMs: number): Promise<boolean> {
    return (await ACQUIRE.run(this.client, [key], [now, max, now + leaseMs, streamId, leaseMs])) === 1;
  }

  async renew(key: string, streamId: string, now: number, leaseMs: number): Promise<void> {
    await RENEW.run(this.client, [key], [now + leaseMs, streamId, leaseMs]);
  }

  async release(key: string, streamId: string): Promise<void> {
    await this.client.zrem(key, streamId);
  }
}

export class MemoryStreamSlotStore implements StreamSlotStore {
  private readonly leases = new Map<string, Map<string, number>>();

  async acquire(key: string, streamId: string, max: number, now: number, leaseMs: number): Promise<boolean> {
    const held = this.leases.get(key) ?? new Map<string, number>();
    for (const [id, until] of held) if (until <= now) held.delete(id);
    if (held.size >= max) return false;
    held.set(streamId, now + leaseMs);
    this.leases.set(key, held);
    return true;
  }

  async renew(key: string, streamId: string, now: number, leaseMs: number): Promise<void> {
    const held = this.leases.get(key);
    if (held?.has(streamId)) held.set(streamId, now + leaseMs);
  }

  async release(key: string, streamId: string): Promise<void> {
    const held = this.leases.get(key);
    held?.delete(streamId);
    if (held?.size === 0) this.leases.delete(key);
  }
}

export interface StreamLease {
  /** Called on every heartbeat, so the lease outlives the stream only when its instance dies. */
  renew(): void;
  /** Idempotent; every way a stream closes calls it. */
  release(): void;
}

export interface StreamSlotsOptions {
  perCaller: number;
  perIp: number;
  /** How long a lease lives without renewal: a crashed instance's streams stop counting after this. */
  leaseMs: number;
  shared?: StreamSlotStore;
  local: StreamSlotStore;
  clock: Clock;
  metrics: MetricsHooks;
  logger: { warn(obj: object, msg: string): void };
}

/**
 * A slot frees when any stream of the caller ends; streams usually end within a pre-check's few seconds to minutes.
 * Retry-After is 5 to 10 s, drawn per refusal, so that clients refused together do not all come back in the same second.
 */
export const STREAM_CAP_RETRY_AFTER_S = { min: 5, max: 10 } as const;

/**
 * After refusing a caller or an IP, this instance refuses it again for this long without asking Redis, so a client
 * reopening in a loop costs one check a second rather than one per attempt. A stream this instance closes for
 * the same caller or IP ends the pause at once.
 */
export const REFUSAL_MEMORY_MS = 1_000;
const MAX_REMEMBERED_REFUSALS = 10_000;

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 24);

/** Each set in its own {hash tag}: every script touches one key, so it runs on one Cluster slot. */
const callerStreamsKey = (sub: string): string => `gw:streams:{caller:${digest(sub)}}`;
const ipStreamsKey = (ip: string): string => `gw:streams:{ip:${ip}}`;

export const createStreamSlots = (options: StreamSlotsOptions) => {
  const { clock, leaseMs, local } = options;
  const refusedUntil = new LRUCache<string, number>({ max: MAX_REMEMBERED_REFUSALS });
  let openHere = 0;

  const quietly = (work: Promise<void>): void => {
    work.catch((error: unknown) => options.logger.warn({ reason: (error as Error).message }, 'stream slot update failed'));
  };

  /**
   * Redis when configured, with a copy in memory: when Redis fails, this instance counts in memory (a cap per
   * instance until it returns), and the streams it already holds count there too. Undefined when refused.
   */
  const acquireOne = async (key: string, streamId: string, max: number, now: number): Promise<StreamSlotStore[] | undefined> => {
    if (options.shared) {
      try {
        if (!(await options.shared.acquire(key, streamId, max, now, leaseMs))) return undefined;
        // Streams granted in memory while Redis timed out are not in Redis: the memory copy holds this instance to
        // the cap too, or a burst that half-times-out would grant the cap twice (once per store).
        if (!(await local.acquire(key, streamId, max, now, leaseMs))) {
          quietly(options.shared.release(key, streamId));
          return undefined;
        }
        return [options.shared, local];
      } catch (error) {
        options.metrics.storeError('progress');
        options.logger.warn({ reason: (error as Error).message }, 'stream slot store failed; counting in this instance');
      }
    }
    return (await local.acquire(key, streamId, max, now, leaseMs)) ? [local] : undefined;
  };

  const refuse = (keys: readonly string[], now: number): never => {
    for (const key of keys) refusedUntil.set(key, now + REFUSAL_MEMORY_MS);
    options.metrics.limiterRejection('progress-streams');
    throw new GatewayError('GW.2003', { retryAfterSeconds: randomInt(STREAM_CAP_RETRY_AFTER_S.min, STREAM_CAP_RETRY_AFTER_S.max + 1), limiter: 'progress-streams' });
  };

  return {
    /** Throws GW.2003 (with Retry-After) when the caller or the IP already holds its cap of open streams. */
    async open(sub: string, ip: string): Promise<StreamLease> {
      const now = clock.now();
      const streamId = randomUUID();
      const held = [
        { key: callerStreamsKey(sub), max: options.perCaller },
        { key: ipStreamsKey(ip), max: options.perIp },
      ];
      if (held.some(({ key }) => (refusedUntil.get(key) ?? 0) > now)) refuse([], now);
      // Started together, so the two scripts share one round trip.
      const stores = await Promise.all(held.map(({ key, max }) => acquireOne(key, streamId, max, now)));
      const granted = held.flatMap(({ key }, i) => (stores[i] ?? []).map((store) => ({ key, store })));
      let released = false;
      let counted = false;
      const release = (): void => {
        if (released) return;
        released = true;
        if (counted) openHere -= 1;
        for (const { key, store } of granted) {
          refusedUntil.delete(key);
          quietly(store.release(key, streamId));
        }
      };
      const refused = held.filter((_, i) => stores[i] === undefined);
      if (refused.length > 0) {
        release();
        refuse(refused.map(({ key }) => key), now);
      }
      counted = true;
      openHere += 1;
      return {
        renew: () => {
          if (released) return;
          for (const { key, store } of granted) quietly(store.renew(key, streamId, clock.now(), leaseMs));
        },
        release,
      };
    },
    /** Streams this instance holds open now (leased and not yet released). */
    openHere: (): number => openHere,
  };
};

export type StreamSlots = ReturnType<typeof createStreamSlots>;
