// Where audit lines go: the process log (each marked by a top-level `audit` field), and AUDIT_LOG's file when set.
import { openSync } from 'node:fs';
import { boundedDestination, closeDestination, createLogger, type Logger } from '../logger';

export interface AuditLog {
  info(obj: object, msg: string): void;
}

export interface AuditTrail {
  log: AuditLog;
  /** Writes what the file has buffered within `ms`; nothing to do without a file. */
  close(ms: number): Promise<void>;
  /** With a file: the lines it dropped because its buffer was full (the process log has them too, unless it dropped them as well). */
  droppedLines?(): number;
}

/**
 * Audit lines are records, not diagnostics: a quieter LOG_LEVEL (warn, error) must not drop them, so they are written
 * at info through a child of that level; only `silent` (the tests' default) silences them on stdout. Their fields are
 * built by the writers (runPrecheck, adminRoutes) from names, ids and numbers, never a header or a body, so the root
 * logger's path redaction (half the cost of a line) is off here as on the access line.
 */
export const createAuditTrail = (logger: Logger, file?: string): AuditTrail => {
  const main = logger.child({}, { level: logger.level === 'silent' ? 'silent' : 'info', redact: { paths: [] } });
  if (file === undefined) return { log: main, close: async () => undefined };
  // Opened here, synchronously, so a path the gateway cannot write stops the start-up with the reason.
  // The same bound as stdout's: a file on a slow or full disk must not grow the heap without limit either.
  const { stream: destination, droppedLines } = boundedDestination(openSync(file, 'a'));
  let failed = false;
  destination.on('error', (error: Error) => {
    if (failed) return;
    failed = true;
    logger.error({ reason: error.message }, 'audit file write failed; audit lines continue on stdout only');
  });
  const copy = createLogger('info', destination);
  return {
    log: {
      info(obj, msg) {
        main.info(obj, msg);
        copy.info(obj, msg);
      },
    },
    close: (ms) => closeDestination(destination, ms),
    droppedLines,
  };
};
