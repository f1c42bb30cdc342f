// Opens the gateway's shared Redis connection: fails fast while Redis is away, reconnects by itself, reports its health.
import { Redis } from 'ioredis';
import { checkRedisSettings } from './checkRedisSettings';
import { closeRedisClient } from './closeRedisClient';
import { createRedisClient } from './createRedisClient';
import { describeRedisTarget } from './describeRedisTarget';
import { hungAfterMs } from './hungAfterMs';
import { parseRedisUrl } from './parseRedisUrl';
import type { RedisConnection } from './RedisConnection';
import type { RedisLogger } from './RedisLogger';
import type { RedisSettings } from './RedisSettings';
import { startRedisHeartbeat } from './startRedisHeartbeat';
import { watchRedisOutages } from './watchRedisOutages';

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
  const heartbeat = client instanceof Redis ? startRedisHeartbeat(client, hungAfterMs(settings.commandTimeoutMs)) : undefined;
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
