// Writing responses with an explicit length, and reading request bodies with APIG's kind of size cap.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json';

export const send = (res: ServerResponse, status: number, body: string | Buffer, headers: OutgoingHttpHeaders): void => {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
};

/** Merges header sets whose names may differ in case; later sets win, as a test's fault headers must. */
export const mergeHeaders = (...sets: OutgoingHttpHeaders[]): OutgoingHttpHeaders => {
  const merged: OutgoingHttpHeaders = {};
  for (const set of sets) {
    for (const [name, value] of Object.entries(set)) {
      for (const existing of Object.keys(merged)) {
        if (existing.toLowerCase() === name.toLowerCase()) delete merged[existing];
      }
      merged[name] = value;
    }
  }
  return merged;
};

/** A string body is sent as is (pre-serialized JSON, or a test's deliberately odd body). */
export const sendJson = (res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void =>
  send(res, status, typeof body === 'string' ? body : JSON.stringify(body), mergeHeaders({ 'Content-Type': JSON_TYPE }, headers));

/** Request IDs ride on every answer unless a fault says otherwise. */
export const withRequestId = (requestId: string | undefined, headers: OutgoingHttpHeaders = {}): OutgoingHttpHeaders =>
  requestId === undefined ? headers : { ...headers, 'X-Request-Id': requestId };

/** Larger bodies are drained and reported as too large rather than buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export const readBody = (req: IncomingMessage): Promise<string | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** Parsed JSON, or the raw text when it does not parse, or undefined for an empty body. */
export const parseJson = (text: string): { ok: true; value: unknown } | { ok: false; raw: string } => {
  if (text === '') return { ok: false, raw: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, raw: text };
  }
};
