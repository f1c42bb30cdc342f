// Bounds a whole asynchronous job in time, for clients whose own timeout only covers an idle socket.
export class DeadlineExceeded extends Error {
  constructor() {
    super('deadline exceeded');
    this.name = 'DeadlineExceeded';
  }
}

/** The timer starts before the job, so it fires ahead of any equal timeout the job arms on its socket. */
export const withDeadline = async <T>(job: () => Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded()), ms);
  });
  try {
    // race() subscribes to the job, so its late rejection after the deadline is handled, never unhandled.
    return await Promise.race([job(), deadline]);
  } finally {
    clearTimeout(timer);
  }
};
