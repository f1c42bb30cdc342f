// An HTTP listener built apart from listening: the server with its deadlines and its connection drain; listen() comes later.
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainConnections, type ConnectionDrain } from './drainConnections';

export interface ListenerTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export interface Listener extends ConnectionDrain {
  /** Binds `port` on `host` and resolves with the port bound; rejects when the address cannot be had (in use, not allowed). */
  listen(port: number, host: string): Promise<number>;
  /** False before listen() has succeeded and after close(). */
  listening(): boolean;
}

/**
 * Node only looks for expired header and request deadlines every connectionsCheckingInterval (30 s by default), so
 * a connection lived up to twice its timeout; a tenth of the shorter timeout keeps the overrun small.
 */
const checkingIntervalMs = (headersTimeoutMs: number): number => Math.min(1_000, Math.max(50, Math.floor(headersTimeoutMs / 10)));

/**
 * Without `timeouts`, Node's defaults (the metrics listener: a scraper on the operator's network). `configure` adds
 * the server's own event handlers (the public listener's answers to what never reaches the app).
 */
export const createListener = (app: RequestListener, timeouts?: ListenerTimeouts, configure?: (server: Server) => void): Listener => {
  const server = timeouts
    ? createServer(
        {
          headersTimeout: timeouts.headersTimeoutMs,
          requestTimeout: timeouts.requestTimeoutMs,
          keepAliveTimeout: timeouts.keepAliveTimeoutMs,
          connectionsCheckingInterval: checkingIntervalMs(timeouts.headersTimeoutMs),
        },
        app,
      )
    : createServer(app);
  configure?.(server);
  const drain = drainConnections(server);
  return {
    ...drain,
    async listen(port, host) {
      server.listen(port, host);
      // once() rejects with the 'error' event (EADDRINUSE, EACCES), which a failed bind emits instead.
      await once(server, 'listening');
      return (server.address() as AddressInfo).port;
    },
    listening: () => server.listening,
  };
};
