// Ends a server's connections at request boundaries: Connection: close while draining, a forced close only at the deadline.
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionDrain {
  /** From now on every response still to be written says `Connection: close`; the listener keeps accepting. */
  begin(): void;
  /**
   * Stops accepting, lets each request in progress finish and closes its connection after the answer; sockets
   * still open after `graceMs` are destroyed. Resolves once every connection is gone.
   */
  close(graceMs: number): Promise<void>;
}

/** Also catches a connection that became idle without `Connection: close` (a pipelined request, a stream ended by the app). */
const IDLE_SWEEP_MS = 250;

/** The response a socket is writing now. Node keeps it there (its own closeIdleConnections reads the same field). */
const currentResponse = (socket: Socket): ServerResponse | undefined => (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;

const markClosing = (res: ServerResponse): void => {
  if (!res.headersSent) res.setHeader('Connection', 'close');
};

export const drainConnections = (server: Server): ConnectionDrain => {
  // Tracked per connection, not per request, so the request path pays nothing until a drain begins.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let begun = false;

  const begin = (): void => {
    if (begun) return;
    begun = true;
    // Prepended so it runs before the app answers, even synchronously.
    server.prependListener('request', (_req, res: ServerResponse) => markClosing(res));
    for (const socket of sockets) {
      const res = currentResponse(socket);
      if (res) markClosing(res);
    }
  };

  const close = async (graceMs: number): Promise<void> => {
    begin();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    try {
      await closed;
    } finally {
      clearInterval(sweep);
      clearTimeout(force);
    }
  };

  return { begin, close };
};
