// A live, self-reconnecting Redis client together with its health as /readyz reports it.
import type { Cluster, Redis } from 'ioredis';

export interface RedisConnection {
  client: Redis | Cluster;
  /** `up` only while the client is ready to send commands; anything else (connecting, reconnecting, closed) is `down`. */
  status(): 'up' | 'down';
  /** Lets in-flight replies arrive (briefly), then disconnects for good; never hangs on a dead Redis. */
  close(): Promise<void>;
}
