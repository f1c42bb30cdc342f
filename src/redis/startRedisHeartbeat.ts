// Notices a Redis that accepts connections but never answers (hung process, partition eating packets) and makes ioredis reconnect.
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../clock';

/** ioredis rejects with exactly this message when commandTimeout expires; it has no error class for it. */
const COMMAND_TIMED_OUT = 'Command timed out';

/** Late misses in a row that count as a hung server even though the event loop was stalled each time. */
export const LATE_MISSES_TO_DROP = 3;

const timedOut = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { message?: unknown }).message === COMMAND_TIMED_OUT;

export type HeartbeatClient = Pick<Redis, 'status' | 'ping' | 'disconnect'>;

export interface HeartbeatSettings {
  intervalMs: number;
  /** The client's commandTimeout: a PING's timeout that fires much later than this fired on a stalled event loop. */
  commandTimeoutMs: number;
  clock?: Clock;
}

/**
 * A PING every `intervalMs` while ready; one that times out on time drops the socket (ioredis then reconnects by itself).
 * Without it a silent socket stays "ready" until TCP keep-alive gives up, hours later.
 * A timeout that fires late says the event loop was stalled (overload): timers run before the socket is read, so the
 * PONG may be waiting unread. Dropping then would cost every in-flight command and a reconnect (the chaos run's overload
 * phase saw 2-6 such drops per gateway, each answered 503 GW.5030), so only LATE_MISSES_TO_DROP late misses in a row drop it.
 */
export const startRedisHeartbeat = (client: HeartbeatClient, { intervalMs, commandTimeoutMs, clock = systemClock }: HeartbeatSettings): { stop(): void } => {
  const lateAfterMs = commandTimeoutMs * 1.5;
  let waiting = false;
  let lateMisses = 0;
  const drop = (): void => {
    lateMisses = 0;
    if (client.status === 'ready') client.disconnect(true);
  };
  const timer = setInterval(() => {
    if (waiting || client.status !== 'ready') return;
    waiting = true;
    const sentAt = clock.now();
    client
      .ping()
      .then(() => {
        lateMisses = 0;
      })
      .catch((error: unknown) => {
        if (!timedOut(error)) return;
        if (clock.now() - sentAt <= lateAfterMs) return drop();
        lateMisses += 1;
        if (lateMisses >= LATE_MISSES_TO_DROP) drop();
      })
      .finally(() => {
        waiting = false;
      });
  }, intervalMs);
  // A heartbeat alone must not keep the process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
