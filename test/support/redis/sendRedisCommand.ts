// A one-shot RESP client for the harness, so that starting Redis never depends on the client code under test.
import { connect } from 'node:net';

const CRLF = '\r\n';

const encode = (args: readonly string[]): string => `*${args.length}${CRLF}${args.map((arg) => `$${Buffer.byteLength(arg)}${CRLF}${arg}${CRLF}`).join('')}`;

type Parsed = { done: false } | { done: true; value: string } | { done: true; error: string };

const parse = (buffer: Buffer): Parsed => {
  const lineEnd = buffer.indexOf(CRLF);
  if (lineEnd < 0) return { done: false };
  const kind = String.fromCharCode(buffer[0] ?? 0);
  const line = buffer.subarray(1, lineEnd).toString();
  if (kind === '+' || kind === ':') return { done: true, value: line };
  if (kind === '-') return { done: true, error: line };
  if (kind === '$') {
    const length = Number(line);
    if (length < 0) return { done: true, value: '' };
    const body = buffer.subarray(lineEnd + CRLF.length);
    return body.length >= length + CRLF.length ? { done: true, value: body.subarray(0, length).toString() } : { done: false };
  }
  return { done: true, error: `unsupported reply type ${kind}` };
};

/** Resolves with a simple, integer or bulk reply; rejects on an error reply, a connection failure or after `timeoutMs`. */
export const sendRedisCommand = (port: number, args: readonly string[], timeoutMs = 1_000): Promise<string> =>
  new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (error: Error | undefined, value = ''): void => {
      socket.destroy();
      if (error === undefined) resolve(value);
      else reject(error);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`redis ${args[0] ?? ''} on port ${port}: no reply within ${timeoutMs} ms`)));
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parse(received);
      if (!parsed.done) return;
      if ('error' in parsed) finish(new Error(parsed.error));
      else finish(undefined, parsed.value);
    });
  });
