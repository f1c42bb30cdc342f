// Asks the OS for a free TCP port on 127.0.0.1; callers still retry on EADDRINUSE, since the port is only free at the time of asking.
import { createServer } from 'node:net';

/** Redis Cluster also listens on port + 10000 (its bus), which must exist and be free too. */
const CLUSTER_BUS_OFFSET = 10_000;

const listenOnce = (port: number): Promise<number | undefined> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });

export const freePort = async (options: { withClusterBus?: boolean } = {}): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await listenOnce(0);
    if (port === undefined) continue;
    if (options.withClusterBus !== true) return port;
    if (port + CLUSTER_BUS_OFFSET <= 65_535 && (await listenOnce(port + CLUSTER_BUS_OFFSET)) !== undefined) return port;
  }
  throw new Error('No free TCP port found on 127.0.0.1.');
};
