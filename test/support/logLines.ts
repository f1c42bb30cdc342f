// A log destination that keeps every line written to it, for tests that read what the gateway logged.
import { Writable } from 'node:stream';

export const logLines = (): { sink: Writable; lines: string[] } => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l.length > 0));
      done();
    },
  });
  return { sink, lines };
};
