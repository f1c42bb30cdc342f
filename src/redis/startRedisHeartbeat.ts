// Notices a Redis that accepts connections but never answers (hung process, partition eating packets) and makes ioredis reconnect.
import type { Redis } from 'ioredis';

/** ioredis rejects with exactly this message when commandTimeout expires; it has no error class for it. */
const COMMAND_TIMED_OUT = 'Command timed out';

const timedOut = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { message?: unknown }).message === COMMAND_TIMED_OUT;

/**
 * A PING every `intervalMs` while ready; one that times out drops the socket (ioredis then reconnects by itself).
 * Without it a silent socket stays "ready" until TCP keep-alive gives up, hours later.
 */
export const startRedisHeartbeat = (client: Redis, intervalMs: number): { stop(): void } => {
  let waiting = false;
  const timer = setInterval(() => {
    if (waiting || client.status !== 'ready') return;
    waiting = true;
    client
      .ping()
      .catch((error: unknown) => {
        if (timedOut(error) && client.status === 'ready') client.disconnect(true);
      })
      .finally(() => {
        waiting = false;
      });
  }, intervalMs);
  // A heartbeat alone must not keep the process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
