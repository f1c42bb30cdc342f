// Top callers count in windows aligned on the epoch: a test that counts first waits out a window's last seconds.
export const clearOfWindowEdge = async (windowMs: number, marginMs = 5_000): Promise<void> => {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
};
