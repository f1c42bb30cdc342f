// Cancellable sleeps for injected latency, so stop() can end every pending timer and jest exits promptly.
export interface Delays {
  /** Resolves after `ms`; never resolves if clearAll() runs first (the request is being torn down anyway). */
  sleep(ms: number): Promise<void>;
  clearAll(): void;
}

export const createDelays = (): Delays => {
  const pending = new Set<NodeJS.Timeout>();
  return {
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve();
        }, ms);
        pending.add(timer);
      }),
    clearAll: () => {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
  };
};
