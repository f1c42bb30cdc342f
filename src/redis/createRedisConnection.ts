// Opens the gateway's shared Redis connection: fails fast while Redis is away, reconnects by itself, reports its health.
import { Redis } from 'ioredis';
import { checkRedisSettings } from './checkRedisSettings';
import { closeRedisClient } from './closeRedisClient';
import { createRedisClient, hungAfterMs } from './createRedisClient';
import { parseRedisUrl } from './parseRedisUrl';
import type { RedisConnection, RedisLogger } from './RedisClient';
import { redactRedisUrl } from './redactRedisUrl';
import type { RedisSettings } from './RedisSettings';
import { startRedisHeartbeat } from './startRedisHeartbeat';
import { watchRedisOutages } from './watchRedisOutages';

const addresses = (nodes: Array<{ host: string; port: number }>): string => nodes.map(({ host, port }) => `${host}:${port}`).join(',');

/** Names the Redis deployment in log lines without any credential. */
const describeRedisTarget = (settings: RedisSettings): string => {
  if (settings.url !== undefined) return redactRedisUrl(settings.url);
  if (settings.sentinel !== undefined) return `sentinel ${settings.sentinel.name}@${addresses(settings.sentinel.sentinels)}`;
  if (settings.cluster !== undefined) return `cluster ${addresses(settings.cluster.nodes)}`;
  return 'none';
};

const secretsOf = (settings: RedisSettings): string[] =>
  [
    settings.url === undefined ? undefined : parseRedisUrl(settings.url).password,
    settings.sentinel?.password,
    settings.sentinel?.sentinelPassword,
    settings.cluster?.password,
  ].filter((secret): secret is string => secret !== undefined && secret !== '');

/** Throws on invalid settings (never quoting a secret); never throws or rejects because Redis is unreachable. */
export const createRedisConnection = (settings: RedisSettings, logger: RedisLogger): RedisConnection => {
  checkRedisSettings(settings);
  const secrets = secretsOf(settings);
  const client = createRedisClient(settings);
  const watch = watchRedisOutages(client, logger, describeRedisTarget(settings), secrets);
  // Cluster nodes have socketTimeout instead (see createRedisClient).
  const heartbeat = client instanceof Redis ? startRedisHeartbeat(client, { intervalMs: hungAfterMs(settings.commandTimeoutMs), commandTimeoutMs: settings.commandTimeoutMs }) : undefined;
  let closed: Promise<void> | undefined;

  return {
    client,
    status: () => (client.status === 'ready' ? 'up' : 'down'),
    close: () => {
      watch.closing();
      heartbeat?.stop();
      closed ??= closeRedisClient(client, settings.commandTimeoutMs);
      return closed;
    },
  };
};
