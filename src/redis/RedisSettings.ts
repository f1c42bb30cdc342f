// Where and how the gateway reaches Redis: exactly one of a URL, a Sentinel group or a Cluster.

/**
 * Exactly one of `url`, `sentinel` or `cluster` must be set (checked when the connection is created).
 * Suggested defaults for the caller: `commandTimeoutMs` 250, `connectTimeoutMs` 2000.
 */
export interface RedisSettings {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). Query parameters are refused. */
  url?: string;
  sentinel?: {
    sentinels: Array<{ host: string; port: number }>;
    /** The monitored master's name. */
    name: string;
    /** Password of the Redis master and replicas. */
    password?: string;
    /** Password of the Sentinel processes themselves. */
    sentinelPassword?: string;
    /** TLS to the sentinels and to the master. */
    tls?: boolean;
  };
  cluster?: {
    /** Any reachable subset of the cluster's nodes; the rest are discovered. */
    nodes: Array<{ host: string; port: number }>;
    password?: string;
    tls?: boolean;
  };
  /** Upper bound on every command's wait for a reply, connected or not. */
  commandTimeoutMs: number;
  /** Upper bound on one TCP/TLS connection attempt. */
  connectTimeoutMs: number;
  /** Keys are never prefixed by the client: ioredis would prefix a script's KEYS but not keys it builds itself. */
  keyPrefix?: never;
}
