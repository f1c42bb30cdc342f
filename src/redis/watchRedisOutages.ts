// Keeps ioredis's error events from crashing the process and turns them into one warning per outage and one notice per recovery.
import type { Cluster, Redis } from 'ioredis';
import type { RedisLogger } from './RedisClient';

const MASK = '***';

export const watchRedisOutages = (client: Redis | Cluster, logger: RedisLogger, target: string, secrets: readonly string[]): { closing(): void } => {
  let down = false;
  let downSince = 0;
  let connectedOnce = false;
  let closing = false;

  // ioredis messages carry hosts and ports, never the password; masking is the belt to those braces.
  const reasonOf = (error: unknown): string => {
    // Duck-typed: errors from node's net module may come from another realm (jest's sandbox), failing instanceof.
    const candidate = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
    const message = typeof candidate === 'string' ? candidate : 'unknown error';
    return secrets.reduce((text, secret) => text.split(secret).join(MASK), message);
  };

  const lost = (reason: string): void => {
    if (down || closing) return;
    down = true;
    downSince = Date.now();
    logger.warn({ redis: target, reason }, connectedOnce ? 'Redis connection lost; commands fail fast until it is back' : 'Redis not reachable yet; commands fail fast until it is');
  };

  client.on('error', (error: unknown) => lost(reasonOf(error)));
  client.on('node error', (error: unknown) => lost(reasonOf(error)));
  client.on('close', () => lost('connection closed'));
  client.on('ready', () => {
    if (down) logger.info({ redis: target, downForMs: Date.now() - downSince }, 'Redis connection restored');
    else if (!connectedOnce) logger.info({ redis: target }, 'Redis connected');
    down = false;
    connectedOnce = true;
  });

  return {
    /** Silences the connection-lost warning for a close the gateway asked for. */
    closing: () => {
      closing = true;
    },
  };
};
