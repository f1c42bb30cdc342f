// Parent <-> child protocol: a child says `ready` with its URL, answers `usage` with its own CPU and memory
// counters, and stops on `stop`, on SIGINT/SIGTERM, or when the parent goes away (IPC channel closed).
import { getHeapStatistics } from 'node:v8';

export interface Usage {
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** V8's heap limit, which node sizes from the memory it may use (a cgroup's limit if it is in one). */
  heapSizeLimitBytes: number;
  /** Lifetime peak RSS (getrusage), in kB. */
  maxRssKb: number;
}

export type ToChild = { type: 'usage'; id: number; gc?: boolean } | { type: 'stop' };
export type FromChild = { type: 'ready'; url: string } | { type: 'usage'; id: number; usage: Usage } | { type: 'failed'; message: string };

export const readUsage = (): Usage => {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    heapSizeLimitBytes: getHeapStatistics().heap_size_limit,
    maxRssKb: process.resourceUsage().maxRSS,
  };
};

const send = (message: FromChild): void => {
  if (!process.send) throw new Error('bench child processes must be started by the bench (fork with IPC)');
  process.send(message);
};

/** Runs a child's start-up, then serves the parent until told to stop; any start-up failure is reported and exits 1. */
export const runChild = (start: () => Promise<{ url: string; stop: () => Promise<void> }>): void => {
  let stopHandle: (() => Promise<void>) | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    (stopHandle ?? (() => Promise.resolve()))().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('message', (message: ToChild) => {
    if (message.type === 'stop') return stop();
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    send({ type: 'usage', id: message.id, usage: readUsage() });
  });
  process.on('disconnect', stop);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  start().then(
    (handle) => {
      stopHandle = handle.stop;
      if (stopping) return;
      send({ type: 'ready', url: handle.url });
    },
    (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
      process.exit(1);
    },
  );
};
