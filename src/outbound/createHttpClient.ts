// The HTTP client for one upstream, on node:http: keep-alive, whole-request deadline, no redirects, capped body.
import http from 'node:http';
import https from 'node:https';

export interface HttpClientOptions {
  baseURL: string;
  timeoutMs: number;
  maxResponseBytes: number;
  userAgent: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, unknown>;
  data: string;
}

export interface HttpClient {
  /** The upstream's host and port, as trace spans name them (server.address, server.port). */
  readonly server: { address: string; port: number };
  /** POSTs a JSON text body to a path under the base URL; resolves for every HTTP status, rejects on transport failure. */
  post(path: string, body: string, headers: Record<string, string>): Promise<HttpResponse>;
  /** Ends pooled sockets so a stopping gateway leaves nothing open. */
  close(): void;
}

/**
 * A transport failure with a Node-style code (ECONNREFUSED, ETIMEDOUT, ERR_RESPONSE_TOO_LARGE, …) and no URL in its
 * message. `requestSent`: the whole request had been handed to the connection, so the upstream may have it.
 */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    readonly requestSent: boolean,
  ) {
    super(`upstream transport failure: ${code}`);
    this.name = 'TransportError';
  }
}

/** The connection died after the response began (headers or part of the body): the upstream got the request. */
const RESPONSE_ABORTED = 'ERR_RESPONSE_ABORTED';

const IDLE_SOCKET_MS = 4_000;

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ECONNRESET';
};

export const createHttpClient = (options: HttpClientOptions): HttpClient => {
  const base = new URL(options.baseURL);
  const secure = base.protocol === 'https:';
  // Idle sockets are closed after 4 s, before common upstream keep-alive timeouts (5 s and up) can close them
  // under a new request: such a reset could not be retried, since DRS may have received the pre-check.
  const agent = new (secure ? https : http).Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
  const request = secure ? https.request : http.request;
  const basePath = base.pathname.replace(/\/$/, '');

  return {
    // URL keeps an IPv6 host in brackets and leaves a default port out; spans want the bare host and the number.
    server: { address: base.hostname.replace(/^\[(.*)\]$/, '$1'), port: base.port === '' ? (secure ? 443 : 80) : Number(base.port) },
    post(path, body, headers) {
      // Only a path is ever appended to the configured origin, so no input can redirect the request elsewhere.
      if (!path.startsWith('/')) return Promise.reject(new TransportError('ERR_INVALID_PATH', false));
      return new Promise<HttpResponse>((resolve, reject) => {
        let settled = false;
        // 'finish': the last byte went to the socket. Before it, a lost connection cannot have delivered a whole
        // request (Content-Length is set), so nothing started; after it, the upstream may have the request.
        let sent = false;
        // Once DRS has begun answering it has the request, so a connection lost now is not "unreachable".
        let answering = false;
        const finish = (error: TransportError | undefined, response?: HttpResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          if (error) reject(error);
          else resolve(response as HttpResponse);
        };
        const req = request(
          {
            protocol: base.protocol,
            hostname: base.hostname,
            port: base.port,
            path: basePath + path,
            method: 'POST',
            agent,
            headers: { ...headers, 'User-Agent': options.userAgent, 'Content-Length': String(Buffer.byteLength(body)) },
          },
          (res) => {
            answering = true;
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > options.maxResponseBytes) {
                finish(new TransportError('ERR_RESPONSE_TOO_LARGE', true));
                res.destroy();
                return;
              }
              chunks.push(chunk);
            });
            res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, data: Buffer.concat(chunks, size).toString('utf8') }));
            res.on('error', () => finish(new TransportError(RESPONSE_ABORTED, true)));
            res.on('aborted', () => finish(new TransportError(RESPONSE_ABORTED, true)));
          },
        );
        // The deadline covers the whole exchange, body included, not just the wait for the first byte.
        const deadline = setTimeout(() => {
          finish(new TransportError('ETIMEDOUT', sent));
          req.destroy();
        }, options.timeoutMs);
        req.on('finish', () => {
          sent = true;
        });
        req.on('error', (error) => finish(new TransportError(answering ? RESPONSE_ABORTED : codeOf(error), sent || answering)));
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
};
