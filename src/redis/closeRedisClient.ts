// Ends a client for good: a bounded QUIT lets replies already asked for arrive, then the socket and the reconnect loop go.
import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from '../time/withDeadline';

/** Waits for `work` (settled either way) at most `ms`. */
const within = (work: Promise<unknown>, ms: number): Promise<void> =>
  withDeadline(() => work, ms).then(
    () => undefined,
    () => undefined,
  );

/** Statuses in which a socket is open or opening, so an 'end' event is still to come after disconnect(). */
const SOCKET_STATUSES = new Set(['connecting', 'connect', 'ready']);

export const closeRedisClient = async (client: Redis | Cluster, graceMs: number): Promise<void> => {
  // A function, not a narrowed property: the status moves on while this awaits.
  const status = (): string => client.status;
  if (status() === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  // With the offline queue off, QUIT on a disconnected client is refused rather than ending it, hence disconnect() below.
  if (status() === 'ready') await within(client.quit(), graceMs);
  const awaitEnd = SOCKET_STATUSES.has(status());
  if (status() !== 'end') client.disconnect();
  if (awaitEnd) await within(ended, graceMs);
};
