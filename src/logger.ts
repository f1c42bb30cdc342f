// Builds the pino logger; secrets are redacted by path as a second line of defence behind the serializers.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-auth-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
  '*.authorization',
];

export const createLogger = (level: string, destination?: DestinationStream): Logger =>
  pino({ level, base: undefined, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);

export interface ProcessLogger {
  logger: Logger;
  /** Writes what it can within `ms`, then drops the rest (closeDestination). */
  release(ms: number): Promise<void>;
}

/**
 * Writes what a destination has buffered within `ms`, then drops the rest. pino flushes its destination synchronously
 * on exit and retries forever while the pipe is full or its reader gone (EAGAIN, EPIPE), so process.exit never
 * returned; a destroyed destination is skipped there.
 */
export const closeDestination = async (destination: ReturnType<typeof pino.destination>, ms: number): Promise<void> => {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    destination.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // end() writes what is buffered, then closes; it is a no-op once pino has given up on a broken pipe.
    destination.end();
  });
  destination.destroy();
};

/** The process's own logger on stdout, for the entry point; everything else receives a Logger. */
export const createProcessLogger = (level: string): ProcessLogger => {
  const destination = pino.destination({ dest: 1, sync: false });
  return { logger: createLogger(level, destination), release: (ms) => closeDestination(destination, ms) };
};
