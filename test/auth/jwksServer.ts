// A real JWKS endpoint on 127.0.0.1 whose answers and hit count the tests control.
import { createServer, type Server } from 'node:http';
import type { KeyObject } from 'node:crypto';

/** How the endpoint answers: each failure mode is one a real identity provider has been seen to produce. */
export type JwksMode = 'ok' | 'error' | 'hang' | 'trickle' | 'redirect' | 'oddReason' | 'invalidJson' | 'nullBody';

export interface JwksServer {
  readonly url: string;
  hits(): number;
  setKeys(keys: readonly object[]): void;
  setMode(mode: JwksMode): void;
  reset(keys: readonly object[]): void;
  close(): Promise<void>;
}

export const jwk = (publicKey: KeyObject, members: Record<string, string>): object => ({
  ...publicKey.export({ format: 'jwk' }),
  use: 'sig',
  ...members,
});

export const startJwksServer = async (): Promise<JwksServer> => {
  let hits = 0;
  let keys: readonly object[] = [];
  let mode: JwksMode = 'ok';
  const server: Server = createServer((request, response) => {
    hits += 1;
    switch (mode) {
      case 'hang':
        return;
      case 'trickle': {
        // A byte every 50 ms keeps the socket busy, so only a deadline on the whole fetch can end it.
        response.writeHead(200, { 'content-type': 'application/json' }).write('{"keys":[');
        const drip = setInterval(() => response.write(' '), 50);
        response.on('close', () => clearInterval(drip));
        return;
      }
      case 'error':
        response.writeHead(500, { 'content-type': 'text/html' }).end('<h1>Internal Server Error</h1>');
        return;
      case 'redirect':
        response.writeHead(302, { location: `${request.url ?? '/'}?moved` }).end();
        return;
      case 'oddReason':
        response.writeHead(503, `Down for /internal/${String(request.url)}`).end();
        return;
      case 'invalidJson':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [');
        return;
      case 'nullBody':
        response.writeHead(200, { 'content-type': 'application/json' }).end('null');
        return;
      case 'ok':
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the JWKS test server has no TCP address');
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: () => hits,
    setKeys: (next) => {
      keys = next;
    },
    setMode: (next) => {
      mode = next;
    },
    reset: (next) => {
      hits = 0;
      keys = next;
      mode = 'ok';
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
