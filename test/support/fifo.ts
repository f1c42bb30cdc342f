// A named pipe the test reads only when it says so: a log destination that stalls like a stdout nobody drains.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Fifo {
  /**
   * A writer that gets EAGAIN instead of blocking, opened on a pipe already filled (with newlines) to the last byte.
   * It belongs to what the test hands it to, which closes it.
   */
  fullWriter(): number;
  /** Everything the pipe holds now, newlines of the filling included. */
  drain(): string;
  close(): void;
}

export const createFifo = (): Fifo => {
  const dir = mkdtempSync(join(tmpdir(), 'fifo-'));
  const path = join(dir, 'pipe');
  execFileSync('mkfifo', [path]);
  // The reader first, non-blocking: a FIFO opens for writing only once it has a reader, and a blocking open would wait.
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const chunk = Buffer.alloc(64 * 1024);
  return {
    fullWriter() {
      const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      // Pages first, then single bytes: a write of up to 4 KiB is all or nothing, so pages alone can leave room.
      for (const filler of [Buffer.alloc(4096, '\n'), Buffer.from('\n')]) {
        for (;;) {
          try {
            writeSync(fd, filler);
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
            throw error;
          }
        }
      }
      return fd;
    },
    drain() {
      let text = '';
      for (;;) {
        try {
          const n = readSync(reader, chunk, 0, chunk.length, null);
          if (n === 0) return text;
          text += chunk.subarray(0, n).toString();
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return text;
          throw error;
        }
      }
    },
    close() {
      closeSync(reader);
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
