// stop(): readiness first, a delay while still serving, Connection: close, requests that reached DRS finish, every close bounded.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitDeadlineMs, LOG_FLUSH_MS, SHUTDOWN_SLACK_MS } from '../../src/server';
import type { DrsFault, Simulator } from '../../src/simulator/startSimulator';
import { freePort, startRedis, type RedisProcess } from '../support/redis';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { waitFor } from '../support/eventually';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http rather than fetch: the answer's Connection header is what these tests are about. */
const request = (agent: http.Agent, url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${url}${path}`,
      {
        method,
        agent,
        headers: { Authorization: bearer(signToken()), ...(text === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }) },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });

const PRECHECK = `/v3/${PROJECT}/jobs/batch-precheck`;
const PRECHECK_BODY = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };

describe('stopping the gateway', () => {
  let gateway: TestGateway | undefined;
  let agent: http.Agent;
  beforeEach(() => {
    agent = new http.Agent({ keepAlive: true });
  });
  afterEach(async () => {
    agent.destroy();
    await gateway?.stop();
    gateway = undefined;
  });

  it('answers /readyz 503 at once and keeps serving, with Connection: close, until SHUTDOWN_DELAY_MS has passed; then refuses connections', async () => {
    gateway = await startTestGateway({ SHUTDOWN_DELAY_MS: '1500' });
    const { url } = gateway;
    expect((await request(agent, url, 'GET', '/readyz')).status).toBe(200);
    let stopped = false;
    const stopping = gateway.stop().then(() => (stopped = true));

    const ready = await request(agent, url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'draining' });
    expect(ready.headers.connection).toBe('close');
    const precheck = await request(agent, url, 'POST', PRECHECK, PRECHECK_BODY);
    expect(precheck.status).toBe(200);
    expect(precheck.headers.connection).toBe('close');
    expect(stopped).toBe(false);

    await stopping;
    await expect(request(agent, url, 'GET', '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  /** A warm gateway, one pre-check held at DRS by `fault`, then stop(): the pre-check's answer once stop() has finished. */
  const answerInFlightAtStop = async (env: Record<string, string>, fault: DrsFault): Promise<Answer> => {
    gateway = await startTestGateway(env);
    const simulator = gateway.simulator as Simulator;
    expect((await request(agent, gateway.url, 'POST', PRECHECK, PRECHECK_BODY)).status).toBe(200);
    simulator.faults.set({ drs: fault });
    const before = simulator.stats.drsRequests;
    const inFlight = request(agent, gateway.url, 'POST', PRECHECK, PRECHECK_BODY);
    await waitFor(() => simulator.stats.drsRequests > before, 5_000, 'the pre-check to reach DRS');
    const stopping = gateway.stop();
    const answer = await inFlight;
    await stopping;
    return answer;
  };

  it('lets a slow pre-check that reached DRS finish with 200 and Connection: close, although SHUTDOWN_GRACE_MS is shorter than the DRS call', async () => {
    const answer = await answerInFlightAtStop({ SHUTDOWN_GRACE_MS: '100', UPSTREAM_TIMEOUT_MS: '5000', IAM_TIMEOUT_MS: '1000' }, { latencyMs: 1_500, times: 1 });
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toMatchObject({ count: 1 });
  });

  it('answers a pre-check whose DRS call hangs with its timeout (504 GW.3007), never a reset, and then finishes stopping', async () => {
    const answer = await answerInFlightAtStop({ SHUTDOWN_GRACE_MS: '100', UPSTREAM_TIMEOUT_MS: '1000', IAM_TIMEOUT_MS: '1000' }, { kind: 'hang', times: 1 });
    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.body)).toMatchObject({ error_code: 'GW.3007' });
  });

  it('ends open progress streams with event end (reason shutdown) when the listener closes instead of waiting out the grace period', async () => {
    gateway = await startTestGateway({ SHUTDOWN_GRACE_MS: '60000', PRECHECK_POLL_INTERVAL_MS: '200' });
    const { url } = gateway;
    const simulator = gateway.simulator as Simulator;
    simulator.faults.set({ drs: { route: 'batch-precheck-result', kind: 'hang' } });
    const controller = new AbortController();
    const stream = fetch(`${url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { headers: { Authorization: bearer(signToken()) }, signal: controller.signal });
    const response = await stream;
    expect(response.status).toBe(200);
    const startedAt = Date.now();
    try {
      await gateway.stop();
      // Far below the 60 s grace: the stream was ended by the drain, not by the forced close at its end.
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      // The client reconnects on `end`, and reaches an instance that still serves.
      await expect(response.text()).resolves.toBe('event: end\ndata: {"reason":"shutdown"}\n\n');
    } finally {
      controller.abort();
    }
  });

  it('finishes stopping while Redis is frozen (SIGSTOP), each close bounded by its own deadline', async () => {
    const redis: RedisProcess = await startRedis();
    try {
      gateway = await startTestGateway({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '200' });
      expect((await request(agent, gateway.url, 'POST', PRECHECK, PRECHECK_BODY)).status).toBe(200);
      redis.pause();
      const startedAt = Date.now();
      await gateway.stop();
      expect(Date.now() - startedAt).toBeLessThan(10_000);
    } finally {
      redis.resume();
      await redis.stop();
    }
  });
});

/** What keeps this process alive (sockets, servers, timers), as a count per kind. */
const openResources = (): Record<string, number> =>
  process.getActiveResourcesInfo().reduce<Record<string, number>>((counts, kind) => ({ ...counts, [kind]: (counts[kind] ?? 0) + 1 }), {});

const canListen = async (port: number): Promise<boolean> => {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
};

describe('a start whose public listen fails', () => {
  it('rejects with the cause after closing every part it had built: the metrics listener already listening, Redis, the simulator', async () => {
    const redis = await startRedis();
    const taken = createServer().listen(0, '127.0.0.1');
    try {
      await once(taken, 'listening');
      const metricsPort = await freePort();
      const before = openResources();
      const start = startTestGateway({ PORT: String((taken.address() as AddressInfo).port), METRICS_PORT: String(metricsPort), REDIS_URL: redis.url });
      await expect(start).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(await canListen(metricsPort)).toBe(true);
      // Sockets closing let go of their handles on the next turns of the event loop.
      await waitFor(() => Object.entries(openResources()).every(([kind, count]) => count <= (before[kind] ?? 0)), 5_000, 'every socket, server and timer of the gateway to be gone');
    } finally {
      taken.close();
      await redis.stop();
    }
  });
});

describe('the exit deadline', () => {
  it('covers the slowest chain of close deadlines of a gateway with every optional part, as main.ts adds its slack and the log flush', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-parts-'));
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const gateway = await startTestGateway({
      METRICS_PORT: '0',
      REDIS_URL: closed,
      AUDIT_LOG: join(dir, 'audit.log'),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      UPSTREAM_TIMEOUT_MS: '2000',
    });
    try {
      expect(gateway.closeWithinMs() + SHUTDOWN_SLACK_MS + LOG_FLUSH_MS).toBe(exitDeadlineMs(gateway.config.current().config));
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

