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

/**
 * What an asynchronous destination may hold unwritten before it drops lines. sonic-boom writes one chunk of at most
 * 16 KiB per event-loop turn, so a saturated process, whose turns last tens of milliseconds, makes lines faster than it
 * writes them: unbounded, the backlog grew about 100 MB a minute at 128 connections (docs/performance.md). 4 MiB is
 * about 1% of the Deployment's 320Mi memory limit, holds some 4,500 pre-check lines (a burst of several seconds at full
 * load, or a log reader that stalls as long), and keeps a written line at most a few seconds behind its timestamp.
 */
export const LOG_BUFFER_MAX_BYTES = 4 * 1024 * 1024;

export interface LogDestination {
  stream: ReturnType<typeof pino.destination>;
  /** Lines dropped so far because LOG_BUFFER_MAX_BYTES were waiting to be written. */
  droppedLines(): number;
}

/** An asynchronous destination (a file descriptor, or a file appended to) that drops and counts what it cannot hold. */
export const boundedDestination = (dest: number | string, maxBytes = LOG_BUFFER_MAX_BYTES): LogDestination => {
  const stream = pino.destination({ dest, sync: false, maxLength: maxBytes });
  let dropped = 0;
  // pino writes each line with one write(), so each drop is one line.
  stream.on('drop', () => {
    dropped += 1;
  });
  return { stream, droppedLines: () => dropped };
};

export interface ProcessLogger {
  logger: Logger;
  /** Writes what it can within `ms`, then drops the rest (closeDestination). */
  release(ms: number): Promise<void>;
  /** Lines stdout's destination dropped because its buffer was full. */
  droppedLines(): number;
}

/** The process's own logger on stdout, for the entry point; everything else receives a Logger. */
export const createProcessLogger = (level: string): ProcessLogger => {
  const { stream, droppedLines } = boundedDestination(1);
  return { logger: createLogger(level, stream), release: (ms) => closeDestination(stream, ms), droppedLines };
};
