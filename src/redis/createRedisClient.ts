// Builds the ioredis client for the configured topology with the options that keep every command time-bounded.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './parseRedisUrl';
import type { RedisSettings } from './RedisSettings';

const CONNECTION_NAME = 'drs-precheck-gateway';

/** How long a server may stay silent before its connection counts as dead: well above one command's timeout, so one slow reply does not cost every in-flight command; short enough for /readyz. */
export const hungAfterMs = (commandTimeoutMs: number): number => Math.max(commandTimeoutMs * 4, 1_000);

const RECONNECT_BASE_MS = 50;
const RECONNECT_CAP_MS = 2_000;

/** Reconnect backoff for every topology: grows fast, then retries every two seconds forever. `attempt` counts from 1; a number (never null) tells ioredis to keep trying. */
const reconnectDelay = (attempt: number): number => Math.min(RECONNECT_BASE_MS * 2 ** Math.max(attempt, 0), RECONNECT_CAP_MS);

/**
 * Options every connection (standalone, sentinel-resolved master, cluster node) shares.
 * - `commandTimeout` rejects a command with no reply in time, but leaves the socket as it is
 *   (a hung server is noticed by the heartbeat, or by `socketTimeout` on cluster nodes);
 * - `maxRetriesPerRequest: 0` fails in-flight commands as soon as the connection drops instead of
 *   replaying them on the next connection, where they would arrive after the caller has given up;
 * - `disconnectTimeout` bounds how long a half-open socket to a hung server may linger once dropped.
 */
const connectionOptions = (settings: RedisSettings): RedisOptions => ({
  connectTimeout: settings.connectTimeoutMs,
  commandTimeout: settings.commandTimeoutMs,
  disconnectTimeout: settings.commandTimeoutMs,
  maxRetriesPerRequest: 0,
  connectionName: CONNECTION_NAME,
});

/**
 * Standalone and sentinel clients auto-pipeline: commands issued in the same tick share one write,
 * and ioredis sends a script as EVAL the first time on each socket (so a restarted Redis with an empty
 * script cache is handled) and falls back from EVALSHA on NOSCRIPT.
 */
const singleNodeOptions = (settings: RedisSettings): RedisOptions => ({
  ...connectionOptions(settings),
  enableOfflineQueue: false,
  enableReadyCheck: true,
  enableAutoPipelining: true,
  lazyConnect: false,
  retryStrategy: reconnectDelay,
});

export const createRedisClient = (settings: RedisSettings): Redis | Cluster => {
  if (settings.cluster !== undefined) {
    const { nodes, password, tls } = settings.cluster;
    return new Cluster(nodes, {
      enableOfflineQueue: false,
      enableReadyCheck: true,
      // Off for Cluster: until the first slot map arrives, ioredis parks auto-pipelined commands until a
      // connection attempt ends, which can take longer than commandTimeout; plain commands are refused at once.
      enableAutoPipelining: false,
      lazyConnect: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: settings.connectTimeoutMs,
      redisOptions: {
        ...connectionOptions(settings),
        // Safe here, unlike on a standalone client (ioredis#2147: the timer outlives its socket and kills the next one):
        // a cluster node's client never reconnects, the cluster replaces it with a new one.
        socketTimeout: hungAfterMs(settings.commandTimeoutMs),
        ...(password === undefined ? {} : { password }),
        ...(tls === true ? { tls: {} } : {}),
      },
    });
  }
  if (settings.sentinel !== undefined) {
    const { sentinels, name, password, sentinelPassword, tls } = settings.sentinel;
    return new Redis({
      ...singleNodeOptions(settings),
      sentinels,
      name,
      ...(password === undefined ? {} : { password }),
      ...(sentinelPassword === undefined ? {} : { sentinelPassword }),
      ...(tls === true ? { tls: {}, enableTLSForSentinelMode: true, sentinelTLS: {} } : {}),
      sentinelRetryStrategy: reconnectDelay,
      sentinelCommandTimeout: settings.commandTimeoutMs,
    });
  }
  if (settings.url === undefined) throw new Error('Redis settings need exactly one of url, sentinel or cluster.');
  return new Redis({ ...singleNodeOptions(settings), ...parseRedisUrl(settings.url) });
};
