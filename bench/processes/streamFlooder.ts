// Child process: one caller holding BENCH_FLOOD_STREAMS progress streams open, reopening each as it ends or is refused.
import { setMaxListeners } from 'node:events';
import { writeFileSync } from 'node:fs';
import { runChild } from '../lib/ipc';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

runChild(async () => {
  const url = required('BENCH_FLOOD_URL');
  const headers = { Authorization: `Bearer ${required('BENCH_FLOOD_TOKEN')}` };
  const slots = Number(required('BENCH_FLOOD_STREAMS'));
  const statsFile = required('BENCH_FLOOD_STATS');
  const controller = new AbortController();
  // Every slot's fetch listens on the one signal that ends the flood.
  setMaxListeners(0, controller.signal);
  const stats = { attempts: 0, opened: 0, refused: 0, otherStatus: 0, failed: 0, openNow: 0, maxOpen: 0 };

  /** One slot: open, read until the stream ends, open again; a 429 waits its Retry-After, as a client library would. */
  const runSlot = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      stats.attempts += 1;
      try {
        const response = await fetch(url, { headers, signal: controller.signal });
        if (response.status === 200 && response.body) {
          stats.opened += 1;
          stats.openNow += 1;
          stats.maxOpen = Math.max(stats.maxOpen, stats.openNow);
          try {
            for await (const _chunk of response.body) {
              // Read and dropped: the flood only holds the stream open.
            }
          } finally {
            stats.openNow -= 1;
          }
          continue;
        }
        await response.arrayBuffer();
        if (response.status === 429) stats.refused += 1;
        else stats.otherStatus += 1;
        const retryAfterS = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, retryAfterS) * 1000));
      } catch {
        if (controller.signal.aborted) return;
        stats.failed += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  const running = Array.from({ length: slots }, () => runSlot());
  return {
    url: '',
    stop: async () => {
      writeFileSync(statsFile, JSON.stringify(stats));
      controller.abort();
      await Promise.race([Promise.allSettled(running), new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
    },
  };
});
