// The last audit lines for GET /admin/events: a ring in this instance's memory, and a capped list in Redis that every instance shares.
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';
import { StoreFailover, type StoreFailoverLogger } from '../failover/StoreFailover';

/** Lines kept, in the ring and in Redis: what `limit` may ask for at most. */
export const MAX_EVENTS = 500;
/**
 * A line longer than this (in UTF-8) is kept as its identifying fields only, so 500 lines stay under 4 MiB anywhere.
 * A pre-check line with 10 jobs is about 1 KiB; only a reload refused for very many settings comes near.
 */
export const MAX_EVENT_BYTES = 8 * 1024;
/** Lines wait this long to go to Redis together: one command per instance per period, whatever the request rate. */
export const EVENTS_FLUSH_MS = 50;
export const EVENTS_KEY = 'gw:events';

/** What a line cut to size keeps; its strings are cut too, since `caller` is a token's `sub` of any length. */
const KEPT_FIELDS = ['level', 'time', 'audit', 'action', 'outcome', 'caller', 'client', 'project', 'region', 'status', 'code', 'requestId', 'version', 'msg'];
const KEPT_CHARS = 256;

const boundedLine = (line: string): string => {
  if (line.length * 3 <= MAX_EVENT_BYTES || Buffer.byteLength(line) <= MAX_EVENT_BYTES) return line;
  const full = JSON.parse(line) as Record<string, unknown>;
  const kept: Record<string, unknown> = { truncated: true };
  for (const field of KEPT_FIELDS) {
    const value = full[field];
    kept[field] = typeof value === 'string' ? value.slice(0, KEPT_CHARS) : value;
  }
  return JSON.stringify(kept);
};

/** Newest first by the time the line was written, however the instances' batches reached Redis. */
const newestFirst = (lines: readonly string[]): object[] =>
  lines
    .map((line) => JSON.parse(line) as { time?: number })
    .sort((a, b) => (b.time ?? 0) - (a.time ?? 0));

export interface EventStore {
  /** Adds the lines, oldest first, keeping only the newest MAX_EVENTS. */
  push(lines: readonly string[]): Promise<void>;
  /** The newest `limit` lines, newest first. */
  read(limit: number): Promise<string[]>;
}

/** One step: the list can never be seen, or left, longer than its cap. */
const PUSH = new LuaScript(`
redis.call('LPUSH', KEYS[1], unpack(ARGV, 2))
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)
return 1
`);

export class RedisEventStore implements EventStore {
  constructor(private readonly client: RedisClient) {}

  async push(lines: readonly string[]): Promise<void> {
    await PUSH.run(this.client, [EVENTS_KEY], [MAX_EVENTS, ...lines]);
  }

  read(limit: number): Promise<string[]> {
    return this.client.lrange(EVENTS_KEY, 0, limit - 1);
  }
}

export class EventRing implements EventStore {
  private readonly lines: string[] = [];
  private next = 0;

  async push(lines: readonly string[]): Promise<void> {
    for (const line of lines) this.add(line);
  }

  add(line: string): void {
    this.lines[this.next] = line;
    this.next = (this.next + 1) % MAX_EVENTS;
  }

  async read(limit: number): Promise<string[]> {
    const newest: string[] = [];
    const held = this.lines.length;
    for (let i = 1; i <= Math.min(limit, held); i += 1) newest.push(this.lines[(this.next - i + held) % held] as string);
    return newest;
  }
}

export interface EventsAnswer {
  events: object[];
  /** False: Redis is not configured, or failed just now, and `events` are this instance's only. */
  shared: boolean;
}

export interface RecentEvents {
  /** One audit line as the log wrote it; never throws, never waits. */
  add(line: string): void;
  read(limit: number): Promise<EventsAnswer>;
  /** Sends what is waiting (at shutdown); Redis failures are already reported by then. */
  flush(): Promise<void>;
}

export interface RecentEventsOptions {
  redis?: RedisClient;
  metrics: Pick<MetricsHooks, 'storeError'>;
  logger: StoreFailoverLogger;
}

/**
 * Every line goes to the ring at once, and to Redis in batches every EVENTS_FLUSH_MS, off any answer's path. Redis
 * failing never fails an audit write or the events route: the batch is lost to the shared list (it stays in this
 * instance's ring), the route answers this instance's ring with `shared: false`, one warning says so and
 * gateway_store_errors_total{store="events"} counts each failed call.
 */
export const createRecentEvents = (options: RecentEventsOptions): RecentEvents => {
  const ring = new EventRing();
  const failover = options.redis
    ? new StoreFailover<EventStore>({
        local: ring,
        shared: new RedisEventStore(options.redis),
        policy: 'open',
        store: 'events',
        messages: { failed: 'event store failed; recent events are per instance', back: 'event store is back; recent events are shared again' },
        metrics: options.metrics,
        logger: options.logger,
      })
    : undefined;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = async (): Promise<boolean> => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (!failover) return false;
    return failover.run(
      async (store) => {
        if (batch.length > 0) await store.push(batch);
        return true;
      },
      () => false,
    );
  };

  return {
    add(line) {
      // Kept with pino's closing newline: JSON.parse reads past it, and cutting it would copy every line.
      const bounded = boundedLine(line);
      ring.add(bounded);
      if (!failover) return;
      // Only the newest MAX_EVENTS can survive the list's trim anyway.
      if (pending.push(bounded) > MAX_EVENTS) pending.shift();
      timer ??= setTimeout(() => void flush(), EVENTS_FLUSH_MS).unref();
    },
    async read(limit) {
      // This instance's own lines are sent first, so a line written before the call is always in the answer.
      const shared = failover && (await flush()) ? await failover.run((store) => store.read(limit), () => undefined) : undefined;
      return shared === undefined ? { events: newestFirst(await ring.read(limit)), shared: false } : { events: newestFirst(shared), shared: true };
    },
    flush: async () => void (await flush()),
  };
};
