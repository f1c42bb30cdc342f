// Polls a RedisConnection until it reports the wanted status, failing with the last one seen.
import type { RedisConnection } from '../../src/redis';

export const waitForStatus = async (connection: RedisConnection, wanted: 'up' | 'down', timeoutMs = 5_000): Promise<number> => {
  const started = Date.now();
  while (connection.status() !== wanted) {
    if (Date.now() - started > timeoutMs) throw new Error(`Redis still ${connection.status()} (ioredis: ${connection.client.status}) after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
};
