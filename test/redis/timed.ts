// Measures how long a Redis call takes to settle, keeping its error: the tests bound both.
export const timed = async (work: Promise<unknown>): Promise<{ ms: number; error: unknown }> => {
  const started = Date.now();
  try {
    await work;
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
};
