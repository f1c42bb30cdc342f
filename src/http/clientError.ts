// Answers requests the app never sees (refused by Node's HTTP parser: bytes HTTP forbids, headers too large, too slow) in the error format.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { FieldProblem } from '../errors/GatewayError';
import { GatewayError } from '../errors/GatewayError';
import { problemBody } from '../errors/problem';
import { newRequestId } from './requestContext';

/** What each parser failure (llhttp's `HPE_*` codes, Node's timeout) is to the caller; anything else is a 400. */
const REFUSALS: Readonly<Record<string, { code: GatewayError['code']; problem?: FieldProblem }>> = {
  HPE_HEADER_OVERFLOW: { code: 'GW.0431' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { code: 'GW.0413' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'GW.0408' },
  HPE_INVALID_METHOD: { code: 'GW.0400', problem: { message: 'the method is not a valid HTTP method' } },
  HPE_INVALID_URL: { code: 'GW.0400', problem: { message: 'the request target has characters HTTP does not allow' } },
  HPE_INVALID_HEADER_TOKEN: { code: 'GW.0400', problem: { message: 'a header name or value has characters HTTP does not allow' } },
  HPE_INVALID_CONTENT_LENGTH: { code: 'GW.0400', problem: { header: 'Content-Length', message: 'must be one whole number' } },
  HPE_UNEXPECTED_CONTENT_LENGTH: { code: 'GW.0400', problem: { header: 'Content-Length', message: 'must not come with Transfer-Encoding: chunked' } },
  HPE_INVALID_TRANSFER_ENCODING: { code: 'GW.0400', problem: { header: 'Transfer-Encoding', message: 'must end with chunked' } },
};

const NOT_HTTP: FieldProblem = { message: 'the request is not valid HTTP/1.1' };

/** Ends a connection with `error` as problem+json, for requests the app never sees; no path was read, so `instance` is empty. */
export const endWithProblem = (socket: Duplex, error: GatewayError, logger: Logger, typeBase: string, cause: string | undefined): void => {
  const requestId = newRequestId();
  logger.debug({ requestId, code: error.publicCode, status: error.status, cause }, 'request refused before routing');
  const body = JSON.stringify(problemBody(error, { instance: '', requestId, language: 'en-us', typeBase }));
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
      'Content-Type: application/problem+json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
};

/**
 * Node's own handler writes a bare status line (400, 408, 431) with no body; this writes the same status as
 * problem+json. As Node does, it answers only a connection that has carried no answer yet (a response half-written
 * there would be corrupted), and never one that is gone.
 */
export const answerClientError = (logger: Logger, typeBase: string) =>
  (error: Error & { code?: string }, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & { bytesWritten?: number }).bytesWritten !== 0) {
      socket.destroy();
      return;
    }
    const refusal = REFUSALS[error.code ?? ''] ?? { code: 'GW.0400' as const, problem: NOT_HTTP };
    endWithProblem(socket, new GatewayError(refusal.code, refusal.code === 'GW.0400' ? { errors: [refusal.problem ?? NOT_HTTP] } : {}), logger, typeBase, error.code);
  };
