// One HTTP/1.1 exchange over a raw socket, with every byte of the request chosen by the test (fuzzing, malformed requests).
import { connect } from 'node:net';

/**
 * One request as its bytes go on the wire (latin1 strings, so the corpus can hold any byte): the request line's method
 * and target, the header lines in order, and the body, sent with an exact Content-Length or in chunks.
 */
export interface WireRequest {
  method: string;
  target: string;
  headers: Array<[string, string]>;
  body: string;
  chunked: boolean;
}

export interface Answer {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  /** The whole answer as received, head included, to look for secrets in. */
  raw: string;
}

export const encode = (input: WireRequest, port: number): Buffer => {
  const lines = [`${input.method} ${input.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', ...input.headers.map(([name, value]) => `${name}: ${value}`)];
  const body = Buffer.from(input.body, 'latin1');
  if (input.chunked && body.length > 0) {
    lines.push('Transfer-Encoding: chunked');
    const half = Math.ceil(body.length / 2);
    const parts = [body.subarray(0, half), body.subarray(half)].filter((part) => part.length > 0);
    const chunks = parts.flatMap((part) => [Buffer.from(`${part.length.toString(16)}\r\n`, 'latin1'), part, Buffer.from('\r\n', 'latin1')]);
    return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), ...chunks, Buffer.from('0\r\n\r\n', 'latin1')]);
  }
  if (body.length > 0) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
};

const dechunk = (body: Buffer): Buffer => {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = body.indexOf('\r\n', at);
    if (end < 0) return Buffer.concat(parts);
    const size = parseInt(body.subarray(at, end).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(end + 2, end + 2 + size));
    at = end + 2 + size + 2;
  }
};

/** Parses the first final (non-1xx) answer in `bytes`, or undefined while its head is incomplete. */
const parseAnswer = (bytes: Buffer): { answer: Answer; streaming: boolean } | undefined => {
  let at = 0;
  for (;;) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    if (headEnd < 0) return undefined;
    const [statusLine = '', ...headerLines] = bytes.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    if (status >= 100 && status < 200) {
      at = headEnd + 4;
      continue;
    }
    const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as [string, string]));
    const rest = bytes.subarray(headEnd + 4);
    const length = headers.get('content-length');
    const body = headers.get('transfer-encoding') === 'chunked' ? dechunk(rest) : length === undefined ? rest : rest.subarray(0, Number(length));
    return { answer: { status, headers, body, raw: bytes.toString('latin1') }, streaming: (headers.get('content-type') ?? '').startsWith('text/event-stream') };
  }
};

/** Sends the bytes and reads the answer until the gateway closes; a progress stream is read up to its head and then left. */
export const exchange = (port: number, bytes: Buffer): Promise<Answer | undefined> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    const finish = (answer: Answer | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    socket.on('data', (data: Buffer) => {
      received.push(data);
      const parsed = parseAnswer(Buffer.concat(received));
      if (parsed?.streaming) finish(parsed.answer);
    });
    // The gateway may close as soon as it has answered, before the whole request was written.
    socket.on('error', () => undefined);
    socket.on('close', () => finish(parseAnswer(Buffer.concat(received))?.answer));
    // Written without a FIN, as HTTP clients do: Node ends a half-closed connection before an asynchronous answer.
    socket.write(bytes);
  });

