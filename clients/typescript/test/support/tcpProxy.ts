// A TCP proxy in front of the gateway that can cut chosen connections, to lose answers and drop streams for real.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * What to do with one client connection (numbered from 1):
 * - `pass`: relay both ways;
 * - `lose-answer`: relay the request, then cut the client off as soon as the gateway starts answering
 *   (the gateway finishes its work; the client never sees the answer);
 * - `cut-after`: relay until the gateway has sent `text`, then cut both sides.
 */
export type ConnectionPlan = { kind: 'pass' } | { kind: 'lose-answer' } | { kind: 'cut-after'; text: string };

export interface TcpProxy {
  url: string;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

export const startTcpProxy = async (target: string, plan: (connection: number) => ConnectionPlan): Promise<TcpProxy> => {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let accepted = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    accepted += 1;
    const decision = plan(accepted);
    const upstream = createConnection({ host: hostname, port: Number(port) });
    track(client);
    track(upstream);
    client.pipe(upstream);
    let seen = '';
    upstream.on('data', (chunk: Buffer) => {
      if (decision.kind === 'lose-answer') {
        client.destroy();
        return;
      }
      if (decision.kind === 'cut-after') {
        seen += chunk.toString('utf8');
        client.write(chunk);
        if (seen.includes(decision.text)) {
          client.destroy();
          upstream.destroy();
        }
        return;
      }
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
    client.on('close', () => {
      // A lost answer: the gateway keeps its side until it has finished, as a dropped client would leave it.
      if (decision.kind !== 'lose-answer') upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
};
