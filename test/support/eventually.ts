// Polling for tests: reads until a condition holds, so a test waits for what it needs rather than for a fixed time.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads until `check` holds or `timeoutMs` has passed, and returns what it read last, for the test's assertion to show. */
export const eventually = async <T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs = 5_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await sleep(20);
  }
};

/** Waits until `condition` holds; fails naming `what` once `timeoutMs` has passed. */
export const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs: number, what = 'the condition'): Promise<void> => {
  if (!(await eventually(condition, Boolean, timeoutMs))) throw new Error(`${what} not met within ${timeoutMs} ms`);
};
