// Connection deadlines as configured (headers, whole request, keep-alive) and no reading of a body after an early refusal, over raw sockets.
import { connect, type Socket } from 'node:net';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, PROJECT, signToken } from '../support/tokens';
import { waitFor } from '../support/eventually';

interface RawConnection {
  socket: Socket;
  /** Everything the gateway sent so far. */
  received(): string;
  /** Resolves with the time the gateway closed the connection, in ms since `connectedAt`. */
  closed: Promise<number>;
  connectedAt: number;
  /** Sends one byte of body every `everyMs` until the connection closes. */
  trickle(everyMs: number): void;
}

const open = async (port: number): Promise<RawConnection> => {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const connectedAt = Date.now();
  let text = '';
  let trickler: NodeJS.Timeout | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  // Writes racing the gateway's close fail with EPIPE or ECONNRESET; the close itself is what is measured.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(trickler);
      resolve(Date.now() - connectedAt);
    }),
  );
  return {
    socket,
    received: () => text,
    closed,
    connectedAt,
    trickle(everyMs) {
      trickler = setInterval(() => socket.write('{'), everyMs);
    },
  };
};

const PRECHECK = `/v3/${PROJECT}/jobs/batch-precheck`;

describe('connection deadlines and early refusals (raw sockets)', () => {
  let gateway: TestGateway;
  const connections: RawConnection[] = [];
  const openTracked = async () => {
    const connection = await open(gateway.port);
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    gateway = await startTestGateway({ SERVER_HEADERS_TIMEOUT_MS: '1000', SERVER_REQUEST_TIMEOUT_MS: '2000', SERVER_KEEPALIVE_TIMEOUT_MS: '1000', RATE_LIMIT_MAX: '1000' });
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) {
      connection.socket.destroy();
      await connection.closed;
    }
  });
  afterAll(async () => {
    await gateway.stop();
  });

  // Bounds are generous for a loaded machine, yet far below what Node's 30 s check interval gave before.
  it('closes a connection whose headers are not complete within SERVER_HEADERS_TIMEOUT_MS, with 408', async () => {
    const connection = await openTracked();
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n');
    const closedAfter = await connection.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(900);
    expect(closedAfter).toBeLessThan(5_000);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a connection whose body is still arriving after SERVER_REQUEST_TIMEOUT_MS', async () => {
    const connection = await openTracked();
    connection.socket.write(`POST ${PRECHECK} HTTP/1.1\r\nHost: gateway\r\nAuthorization: ${bearer(signToken())}\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n`);
    connection.trickle(100);
    const closedAfter = await connection.closed;
    expect(closedAfter).toBeGreaterThanOrEqual(1_900);
    expect(closedAfter).toBeLessThan(6_000);
  });

  it('closes an idle keep-alive connection after SERVER_KEEPALIVE_TIMEOUT_MS (plus the 1 s Node adds)', async () => {
    const connection = await openTracked();
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n');
    await waitFor(() => connection.received().includes('{"status":"ok"}'), 5_000, 'the answer');
    const answeredAt = Date.now() - connection.connectedAt;
    const idleFor = (await connection.closed) - answeredAt;
    expect(idleFor).toBeGreaterThanOrEqual(900);
    expect(idleFor).toBeLessThan(4_500);
  });

  it.each([
    ['401 (no token)', 401, {}],
    ['415 (not JSON)', 415, { Authorization: bearer(signToken()), 'Content-Type': 'text/plain' }],
    ['413 (declared length over the limit)', 413, { Authorization: bearer(signToken()), 'Content-Type': 'application/json' }],
  ] as const)('after answering %s before the body arrived, closes the connection rather than read the rest of a slow body', async (_name, status, headers) => {
    const connection = await openTracked();
    const lines = Object.entries({ 'Content-Type': 'application/json', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`);
    connection.socket.write(`POST ${PRECHECK} HTTP/1.1\r\nHost: gateway\r\n${lines.join('')}Content-Length: 100000\r\n\r\n{"jobs":`);
    connection.trickle(50);
    await waitFor(() => /\r\n\r\n\{/.test(connection.received()), 5_000, 'the answer');
    const answeredAt = Date.now() - connection.connectedAt;
    const head = connection.received().split('\r\n\r\n')[0] ?? '';
    expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toMatch(/\r\nConnection: close\r\n/i);
    // Well before SERVER_REQUEST_TIMEOUT_MS (2 s), which is what ended such a connection before.
    expect((await connection.closed) - answeredAt).toBeLessThan(1_000);
  });
});
