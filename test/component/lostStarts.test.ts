// A start DRS received but never answered (the connection died first) is never started twice: not by the typed
// client's retries, not by a caller repeating its Idempotency-Key.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createGatewayClient, GatewayClientError } from '../../clients/typescript/src';
import type { RunningGateway } from '../../src/server';
import { send } from '../support/http';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, PROJECT, signToken } from '../support/tokens';

const jobId = (n: number): string => `${String(n).padStart(8, '0')}-5555-4222-8333-44444444d${String(n).padStart(3, '0')}`;

/**
 * A DRS stand-in that reads each start whole, counts it per job, then does what `mode` says: `reset` kills the
 * connection before a byte of answer (the start may well have begun), `answer` answers as DRS does.
 */
const startDrs = async () => {
  const starts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let mode: 'reset' | 'answer' = 'reset';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const jobs = (JSON.parse(text) as { jobs: Array<{ job_id: string }> }).jobs;
      for (const job of jobs) starts.set(job.job_id, (starts.get(job.job_id) ?? 0) + 1);
      if (mode === 'reset') {
        req.socket.resetAndDestroy();
        return;
      }
      const body = JSON.stringify({ results: jobs.map((job) => ({ id: job.job_id, status: 'success' })), count: jobs.length });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    starts,
    setMode: (next: 'reset' | 'answer') => {
      mode = next;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
};

describe('a start whose connection to DRS dies after the request left', () => {
  let drs: Awaited<ReturnType<typeof startDrs>>;
  let gateway: RunningGateway;
  const token = signToken({ sub: 'lost-starts', projects: [PROJECT] }, { expiresIn: 3600 });

  beforeAll(async () => {
    drs = await startDrs();
    // IAM stays the embedded simulator: only DRS is the stand-in. Five lost answers in a row open the region's
    // circuit (503 GW.3006, nothing sent); a short open period lets the client's retries probe it again.
    gateway = await startTestGateway({ DRS_ENDPOINT: drs.url, RATE_LIMIT_MAX: '1000' }, { circuitOpenMs: 200 });
  });
  afterAll(async () => {
    await gateway.stop();
    await drs.stop();
  });
  beforeEach(() => drs.setMode('reset'));

  it('reaches the typed client as 502 GW.3004 (may have started), which it does not retry, so DRS saw each of 8 keys once', async () => {
    const client = createGatewayClient({ baseUrl: gateway.url, getToken: () => token, retry: { baseDelayMs: 10, maxAttempts: 10 } });
    const jobs = Array.from({ length: 8 }, (_, i) => jobId(i + 1));
    for (const [n, job] of jobs.entries()) {
      // The open circuit's 503s are retried (nothing was sent); the lost answer that ends each start is not.
      const error = await client.startPrecheck(PROJECT, [{ job_id: job, precheck_mode: 'forStartJob' }], { idempotencyKey: `lost-${n}` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayClientError);
      expect(error).toMatchObject({ status: 502, error_code: 'GW.3004', kind: 'may-have-started', retryable: false });
    }
    expect(jobs.map((job) => drs.starts.get(job))).toEqual(jobs.map(() => 1));
  });

  it('answers a repeat of the same key with the same failure, marked replayed, even once DRS answers again', async () => {
    const job = jobId(20);
    const start = () =>
      send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, {
        headers: { Authorization: bearer(token), 'Idempotency-Key': 'lost-repeat' },
        body: { jobs: [{ job_id: job, precheck_mode: 'forStartJob' }] },
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = await start();
    expect({ status: first.status, code: first.json().error_code, retryAfter: first.headers.get('retry-after') }).toEqual({ status: 502, code: 'GW.3004', retryAfter: null });
    drs.setMode('answer');
    const repeat = await start();
    expect({ status: repeat.status, code: repeat.json().error_code, replayed: repeat.headers.get('idempotency-replayed') }).toEqual({ status: 502, code: 'GW.3004', replayed: 'true' });
    expect(drs.starts.get(job)).toBe(1);
  });

  it('still starts a new key once DRS answers: only the lost key is held', async () => {
    drs.setMode('answer');
    // The circuit may still be open from the lost answers: wait out its open period, then one success closes it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, {
      headers: { Authorization: bearer(token), 'Idempotency-Key': 'fresh-after-loss' },
      body: { jobs: [{ job_id: jobId(30), precheck_mode: 'forStartJob' }] },
    });
    expect(res.status).toBe(200);
    expect(drs.starts.get(jobId(30))).toBe(1);
  });
});
