import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createRegionBreaker } from '../../src/upstream/createRegionBreaker';
import { createHttpClient, TransportError, type HttpClient, type HttpResponse } from '../../src/outbound/createHttpClient';
import { createPrecheckForwarder, type TokenSource } from '../../src/upstream/createPrecheckForwarder';
import type { RequestTrail } from '../../src/telemetry/RequestTrail';
import { childTraceparent } from '../../src/upstream/traceparent';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';
import { inMemoryTrace } from '../support/inMemoryTrace';

const ok: HttpResponse = { status: 200, headers: {}, data: '{"results":[],"count":0}' };
/** `sent`: whether the whole request had left before the failure (true for failures that follow sending). */
const transportError = (code: string, sent = code !== 'ECONNREFUSED') => new TransportError(code, sent);

/** Answers or fails from a script, one entry per post, and records what was sent. */
const scriptedHttp = (script: Array<HttpResponse | Error>) => {
  const sent: Array<{ path: string; headers: Record<string, string> }> = [];
  const http: HttpClient = {
    server: { address: 'drs.test', port: 443 },
    async post(path, _body, headers) {
      sent.push({ path, headers });
      const next = script.shift();
      if (next === undefined) throw new Error('script exhausted');
      if (next instanceof Error) throw next;
      return next;
    },
    close() {},
  };
  return { http, sent };
};

const tokens = (): TokenSource & { invalidated: string[] } => {
  let n = 0;
  const invalidated: string[] = [];
  return {
    invalidated,
    get: async (_project, trail) => {
      if (trail) trail.tokenSource = n === 0 ? 'memory' : 'iam';
      return { value: `token-${n}`, expiresAt: Date.now() + 3_600_000, obtainedAt: Date.now() };
    },
    invalidate: (_project, value) => {
      invalidated.push(value ?? '*');
      n += 1;
    },
  };
};

const setup = (script: Array<HttpResponse | Error>) => {
  const clock = new FakeClock();
  const { http, sent } = scriptedHttp(script);
  const source = tokens();
  const breaker = createRegionBreaker({ clock, failureThreshold: 5, openMs: 10_000 });
  const metrics = new CountingMetrics();
  const forwarder = createPrecheckForwarder({ http, tokens: source, breaker, clock, region: 'north', metrics });
  const forward = (extra: { trail?: RequestTrail; operation?: 'progress-poll'; traceparent?: string } = {}) =>
    forwarder.forward({ projectId: 'p'.repeat(32), route: 'batch-precheck', body: { jobs: [] }, language: 'en-us', requestId: 'r1', ...extra });
  return { forward, sent, source, breaker, metrics };
};

describe('createPrecheckForwarder', () => {
  it('retries once on a fresh socket when the connection was refused (nothing reached DRS)', async () => {
    const { forward, sent } = setup([transportError('ECONNREFUSED'), ok]);
    await expect(forward()).resolves.toMatchObject({ body: { count: 0 } });
    expect(sent).toHaveLength(2);
  });

  it('maps a connection reset after the request left to 502 GW.3004 without Retry-After, never retried: the pre-check may have started', async () => {
    const { forward, sent, breaker } = setup([transportError('ECONNRESET'), ok]);
    const error = await forward().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GW.3004', status: 502 });
    expect((error as { options: { retryAfterSeconds?: number } }).options.retryAfterSeconds).toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(breaker.state).toBe('closed');
  });

  it('retries once on a fresh socket when the connection was lost before the whole request left (nothing reached DRS)', async () => {
    const { forward, sent } = setup([transportError('ECONNRESET', false), ok]);
    await expect(forward()).resolves.toMatchObject({ body: { count: 0 } });
    expect(sent).toHaveLength(2);
  });

  it('answers 503 GW.3006 with Retry-After when the request could not be sent twice', async () => {
    const { forward, sent } = setup([transportError('EPIPE', false), transportError('ECONNRESET', false)]);
    await expect(forward()).rejects.toMatchObject({ code: 'GW.3006', status: 503, options: { retryAfterSeconds: 5 } });
    expect(sent).toHaveLength(2);
  });

  it('maps a connection lost after DRS began answering to 502 GW.3004, without retrying', async () => {
    const { forward, sent, breaker } = setup([transportError('ERR_RESPONSE_ABORTED'), ok]);
    const error = await forward().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GW.3004', status: 502 });
    expect((error as { options: { retryAfterSeconds?: number } }).options.retryAfterSeconds).toBeUndefined();
    expect(sent).toHaveLength(1);
    expect(breaker.state).toBe('closed');
  });

  it('maps a timeout to GW.3007 without retrying', async () => {
    const { forward, sent } = setup([transportError('ETIMEDOUT'), ok]);
    await expect(forward()).rejects.toMatchObject({ code: 'GW.3007' });
    expect(sent).toHaveLength(1);
  });

  it('refused twice is GW.3006', async () => {
    const { forward, sent } = setup([transportError('ECONNREFUSED'), transportError('ECONNREFUSED')]);
    await expect(forward()).rejects.toMatchObject({ code: 'GW.3006' });
    expect(sent).toHaveLength(2);
  });

  it('drops the refused token, not any other, and replays with the new one', async () => {
    const unauthorized: HttpResponse = { status: 401, headers: {}, data: '{"error_code":"APIG.0307","error_msg":"The token must be updated."}' };
    const { forward, sent, source } = setup([unauthorized, ok]);
    await forward();
    expect(source.invalidated).toEqual(['token-0']);
    expect(sent.map((s) => s.headers['X-Auth-Token'])).toEqual(['token-0', 'token-1']);
  });

  it('counts each DRS exchange by region, operation and status class, and a failed one as error', async () => {
    const throttled: HttpResponse = { status: 429, headers: {}, data: '{"error_code":"APIG.0308","error_msg":"throttled"}' };
    const { forward, metrics } = setup([ok, throttled, transportError('ETIMEDOUT'), ok]);
    await forward();
    await forward().catch(() => undefined);
    await forward().catch(() => undefined);
    await forward({ operation: 'progress-poll' });
    expect(metrics.count('upstream:north:batch-precheck:2xx')).toBe(1);
    expect(metrics.count('upstream:north:batch-precheck:4xx')).toBe(1);
    expect(metrics.count('upstream:north:batch-precheck:error')).toBe(1);
    expect(metrics.count('upstream:north:progress-poll:2xx')).toBe(1);
  });

  it('tells the trail the token origin, DRS status and request id, and the time of both calls after a refused token', async () => {
    const unauthorized: HttpResponse = { status: 401, headers: {}, data: '{"error_code":"APIG.0307","error_msg":"The token must be updated."}' };
    const answered: HttpResponse = { ...ok, headers: { 'x-request-id': 'drs-req-1' } };
    const { forward } = setup([unauthorized, answered]);
    const trail: RequestTrail = {};
    await forward({ trail });
    expect(trail).toMatchObject({ tokenSource: 'iam', upstreamStatus: 200, upstreamRequestId: 'drs-req-1' });
    expect(trail.upstreamMs).toBeGreaterThanOrEqual(0);
  });

  it('leaves the trail without an upstream status when DRS never answered', async () => {
    const { forward } = setup([transportError('ETIMEDOUT')]);
    const trail: RequestTrail = {};
    await forward({ trail }).catch(() => undefined);
    expect(trail.upstreamStatus).toBeUndefined();
    expect(trail.upstreamMs).toBeGreaterThanOrEqual(0);
    expect(trail.tokenSource).toBe('memory');
  });

  it('builds the path from the validated project and the fixed route only', async () => {
    const { forward, sent } = setup([ok]);
    await forward();
    expect(sent[0]?.path).toBe(`/v3/${'p'.repeat(32)}/jobs/batch-precheck`);
  });
});

describe('createPrecheckForwarder and trace context', () => {
  const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it("without tracing sends exactly the traceparent it is given, childTraceparent's (same trace id, new parent id), and none when given none", async () => {
    const { forward, sent } = setup([ok, ok]);
    const untraced = childTraceparent(CALLER);
    await forward({ traceparent: untraced, trail: {} });
    await forward({ trail: {} });
    expect(sent[0]?.headers.traceparent).toBe(untraced);
    expect(sent[0]?.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$/);
    expect(sent[1]?.headers).not.toHaveProperty('traceparent');
  });

  const traced = () => {
    const { spans, trace } = inMemoryTrace({ traceparent: CALLER });
    const trail: RequestTrail = { trace };
    return { spans, trail };
  };

  it('when traced, opens one CLIENT span per DRS call under the inbound span and sends DRS that span as parent, not the untraced value', async () => {
    const unauthorized: HttpResponse = { status: 401, headers: {}, data: '{"error_code":"APIG.0307","error_msg":"The token must be updated."}' };
    const { forward, sent } = setup([unauthorized, ok]);
    const { spans, trail } = traced();
    await forward({ trail, traceparent: childTraceparent(CALLER) });
    const calls = spans.getFinishedSpans();
    expect(calls.map((span) => [span.name, span.attributes['http.response.status_code'], span.status.code, span.attributes['error.type']])).toEqual([
      ['drs batch-precheck', 401, 2, '401'],
      ['drs batch-precheck', 200, 0, undefined],
    ]);
    const inbound = trail.trace!.span.spanContext();
    expect(calls.map((span) => span.parentSpanContext?.spanId)).toEqual([inbound.spanId, inbound.spanId]);
    expect(sent.map((s) => s.headers.traceparent)).toEqual(calls.map((span) => `00-4bf92f3577b34da6a3ce929d0e0e4736-${span.spanContext().spanId}-01`));
    expect(calls[0]?.attributes).toMatchObject({ 'server.address': 'drs.test', 'server.port': 443, 'gateway.region': 'north', 'gateway.drs.operation': 'batch-precheck' });
  });

  it('when traced, marks a DRS call that timed out as an error with the failure kind and the code the caller gets', async () => {
    const { forward } = setup([transportError('ETIMEDOUT')]);
    const { spans, trail } = traced();
    await forward({ trail }).catch(() => undefined);
    const [call] = spans.getFinishedSpans();
    expect(call?.status).toEqual({ code: 2, message: 'GW.3007' });
    expect(call?.attributes).toMatchObject({ 'error.type': 'timeout', 'gateway.error_code': 'GW.3007' });
    expect(call?.attributes['http.response.status_code']).toBeUndefined();
  });
});

describe('createPrecheckForwarder over a real socket that dies', () => {
  /** A DRS that reads each request, counts it, then does what `onRequest` says with the socket. */
  const forwardTo = async (onRequest: (socket: Socket) => void) => {
    let requests = 0;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('data', (chunk: Buffer) => {
        if (!chunk.toString('latin1').startsWith('POST ')) return;
        requests += 1;
        onRequest(socket);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const http = createHttpClient({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5_000, maxResponseBytes: 1024, userAgent: 't' });
    try {
      const clock = new FakeClock();
      const forwarder = createPrecheckForwarder({ http, tokens: tokens(), breaker: createRegionBreaker({ clock, failureThreshold: 5, openMs: 10_000 }), clock, region: 'default', metrics: new CountingMetrics() });
      const error = await forwarder.forward({ projectId: 'p'.repeat(32), route: 'batch-precheck', body: { jobs: [] }, language: 'en-us', requestId: 'r1' }).catch((e: unknown) => e);
      return { error, requests };
    } finally {
      http.close();
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    }
  };

  it('answers 502 GW.3004 after one request when DRS sends headers and half a body, then resets', async () => {
    const { error, requests } = await forwardTo((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 120\r\n\r\n{"results":[{"id":"a","sta', () => socket.resetAndDestroy()),
    );
    expect(error).toMatchObject({ code: 'GW.3004', status: 502 });
    expect(requests).toBe(1);
  });

  it('answers 502 GW.3004, not a retryable 503, after one request when DRS receives the start and resets before answering', async () => {
    const { error, requests } = await forwardTo((socket) => socket.resetAndDestroy());
    expect(error).toMatchObject({ code: 'GW.3004', status: 502 });
    expect(requests).toBe(1);
  });

  it('answers 502 GW.3004 after one request when DRS receives the start and closes without a word', async () => {
    const { error, requests } = await forwardTo((socket) => socket.end());
    expect(error).toMatchObject({ code: 'GW.3004', status: 502 });
    expect(requests).toBe(1);
  });
});
