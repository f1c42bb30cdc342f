// The Redis types the rest of the gateway sees: the client the stores accept, the live connection, the logging seam.
import type { Cluster, Redis } from 'ioredis';

/** A single node (standalone or via Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** A live, self-reconnecting Redis client together with its health as /readyz reports it. */
export interface RedisConnection {
  client: RedisClient;
  /** `up` only while the client is ready to send commands; anything else (connecting, reconnecting, closed) is `down`. */
  status(): 'up' | 'down';
  /** Lets in-flight replies arrive (briefly), then disconnects for good; never hangs on a dead Redis. */
  close(): Promise<void>;
}

/** The narrow logging seam of the Redis module; pino's logger satisfies it. */
export interface RedisLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}
