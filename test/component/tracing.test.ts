import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '../../src/config/defaults';
import { createLogger } from '../../src/logger';
import type { Simulator } from '../../src/simulator/startSimulator';
import { PRECHECK } from '../support/drsPaths';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlpReceiver';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, OTHER_PROJECT, PROJECT, signToken } from '../support/tokens';

const ROUTE = '/v3/:project_id/jobs/batch-precheck';
const precheckBody = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

const inTrace = (traceId: string, spans: ReceivedSpan[]) => spans.filter((s) => s.traceId === traceId);
const named = (spans: ReceivedSpan[], name: string): ReceivedSpan => {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one span named ${name}, got ${found.length} among ${spans.map((s) => s.name).join(', ')}`);
  return found[0] as ReceivedSpan;
};
const SPAN_NAMES = [`POST ${ROUTE}`, 'rate-limit', 'iam token', 'drs batch-precheck'];
const hasAll = (names: string[]) => (spans: ReceivedSpan[]) => names.every((name) => spans.some((s) => s.name === name));

describe.each([
  ['http/protobuf', 'application/x-protobuf'],
  ['http/json', 'application/json'],
])('traces over OTLP %s from a real gateway to a test collector', (protocol, contentType) => {
  let receiver: OtlpReceiver;
  let gateway: TestGateway;
  let simulator: Simulator;
  const log = logLines();

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // Configured the way an operator would: the standard variables only. A short batch delay keeps the test quick.
    gateway = await startTestGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_BSP_SCHEDULE_DELAY: '50', RATE_LIMIT_MAX: '2' }, { logger: createLogger('info', log.sink) });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(async () => {
    await gateway.stop();
    await receiver.close();
  });
  beforeEach(() => simulator.resetStats());

  it("exports one pre-check's spans (inbound, rate limit, IAM fetch, DRS call) in the caller's trace, each parented to the inbound one, with no secret anywhere", async () => {
    const [traceId, callerSpanId] = [hex(16), hex(8)];
    const jwt = signToken({ sub: 'tracer-1' });
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(jwt), traceparent: `00-${traceId}-${callerSpanId}-01`, 'X-Request-Id': 'trace-req-1' }, body: precheckBody });
    expect(res.status).toBe(200);
    const spans = inTrace(traceId, await receiver.waitFor((all) => hasAll(SPAN_NAMES)(inTrace(traceId, all))));

    const inbound = named(spans, `POST ${ROUTE}`);
    expect(inbound).toMatchObject({
      kind: 'SERVER',
      parentSpanId: callerSpanId,
      status: { code: 'UNSET' },
      attributes: {
        'http.request.method': 'POST',
        'http.route': ROUTE,
        'http.response.status_code': 200,
        'gateway.project_id': PROJECT,
        'gateway.region': 'default',
        'gateway.token_source': 'iam',
        'gateway.request_id': 'trace-req-1',
      },
      resource: expect.objectContaining({ 'service.name': 'drs-precheck-gateway' }),
    });
    expect(named(spans, 'rate-limit')).toMatchObject({ kind: 'INTERNAL', parentSpanId: inbound.spanId, attributes: { 'gateway.rate_limit.outcome': 'admitted' } });
    expect(named(spans, 'iam token')).toMatchObject({
      kind: 'CLIENT',
      parentSpanId: inbound.spanId,
      status: { code: 'UNSET' },
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201, 'server.address': '127.0.0.1', 'server.port': simulator.port, 'gateway.project_id': PROJECT, 'gateway.region': 'default' },
    });
    const drs = named(spans, 'drs batch-precheck');
    expect(drs).toMatchObject({
      kind: 'CLIENT',
      parentSpanId: inbound.spanId,
      status: { code: 'UNSET' },
      attributes: { 'http.response.status_code': 200, 'server.address': '127.0.0.1', 'server.port': simulator.port, 'gateway.drs.operation': 'batch-precheck', 'gateway.project_id': PROJECT },
    });

    // DRS was told the gateway's DRS call is the parent: its own spans would hang under it.
    const sent = simulator.stats.requests[0]!.headers;
    expect(sent.traceparent).toBe(`00-${traceId}-${drs.spanId}-01`);
    expect(receiver.exports.every((e) => e.contentType === contentType)).toBe(true);
    // The access line leads from the request id to its trace.
    const accessLine = log.lines.map((line) => JSON.parse(line) as { msg: string; req?: { id: string }; traceId?: string }).find((l) => l.msg === 'request completed' && l.req?.id === 'trace-req-1');
    expect(accessLine?.traceId).toBe(traceId);
    const secrets = [jwt, sent['x-auth-token'] as string, DEFAULTS.iam.password];
    for (const secret of secrets) {
      expect(receiver.exports.some((e) => e.body.includes(secret))).toBe(false);
      expect(JSON.stringify(receiver.spans())).not.toContain(secret);
    }
  });

  it('sends DRS a traceparent naming the DRS span when the caller sent none, in a trace the gateway starts', async () => {
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(signToken({ sub: 'tracer-2' })) }, body: precheckBody });
    expect(res.status).toBe(200);
    const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(simulator.stats.requests[0]!.headers.traceparent));
    expect(match).not.toBeNull();
    const [, traceId, parentId] = match as unknown as [string, string, string];
    const spans = inTrace(traceId, await receiver.waitFor((all) => hasAll([`POST ${ROUTE}`, 'drs batch-precheck'])(inTrace(traceId, all))));
    const inbound = named(spans, `POST ${ROUTE}`);
    expect(inbound.parentSpanId).toBeUndefined();
    expect(named(spans, 'drs batch-precheck')).toMatchObject({ spanId: parentId, parentSpanId: inbound.spanId });
    expect(inbound.attributes['gateway.token_source']).toBe('memory');
  });

  it('makes one IAM span for two concurrent cold requests, parented to one of them, and marks both as having waited for IAM', async () => {
    const [first, second] = [hex(16), hex(16)];
    const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
    const path = `/v3/${OTHER_PROJECT}/jobs/batch-precheck`;
    const jwt = signToken({ sub: 'tracer-3', projects: [OTHER_PROJECT] });
    const answers = await Promise.all(
      [first, second].map((traceId) => send(gateway.url, path, { headers: { Authorization: bearer(jwt), traceparent: `00-${traceId}-${hex(8)}-01` }, body })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const bothDone = (all: ReceivedSpan[]) => [first, second].every((t) => hasAll([`POST ${ROUTE}`, 'drs batch-precheck'])(inTrace(t, all)));
    const spans = (await receiver.waitFor(bothDone)).filter((s) => s.traceId === first || s.traceId === second);
    const iamSpans = spans.filter((s) => s.name === 'iam token');
    expect(iamSpans).toHaveLength(1);
    const inbounds = spans.filter((s) => s.kind === 'SERVER');
    expect(inbounds.map((s) => s.spanId)).toContain(iamSpans[0]!.parentSpanId);
    expect(inbounds.map((s) => s.attributes['gateway.token_source'])).toEqual(['iam', 'iam']);
  });

  it('marks a DRS 5xx as an error on the DRS span and the inbound span, naming the code the caller got', async () => {
    simulator.faults.set({ drs: { kind: 'status', status: 500, body: { error_code: 'DRS.M05000', error_msg: 'internal' }, times: 1 } });
    const traceId = hex(16);
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(signToken({ sub: 'tracer-4' })), traceparent: `00-${traceId}-${hex(8)}-01` }, body: precheckBody });
    expect(res.status).toBe(502);
    const spans = inTrace(traceId, await receiver.waitFor((all) => hasAll([`POST ${ROUTE}`, 'drs batch-precheck'])(inTrace(traceId, all))));
    expect(named(spans, 'drs batch-precheck')).toMatchObject({
      status: { code: 'ERROR', message: 'GW.3005' },
      attributes: { 'http.response.status_code': 500, 'error.type': '500', 'gateway.error_code': 'GW.3005' },
    });
    expect(named(spans, `POST ${ROUTE}`)).toMatchObject({ status: { code: 'ERROR', message: 'GW.3005' }, attributes: { 'http.response.status_code': 502, 'gateway.error_code': 'GW.3005' } });
  });

  it('names the refusing limiter on the rate-limit and inbound spans, and does not count a refusal as an error', async () => {
    const jwt = signToken({ sub: 'tracer-5' });
    for (let i = 0; i < 2; i += 1) expect((await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(jwt) }, body: precheckBody })).status).toBe(200);
    const traceId = hex(16);
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(jwt), traceparent: `00-${traceId}-${hex(8)}-01` }, body: precheckBody });
    expect(res.status).toBe(429);
    const spans = inTrace(traceId, await receiver.waitFor((all) => hasAll([`POST ${ROUTE}`, 'rate-limit'])(inTrace(traceId, all))));
    expect(named(spans, 'rate-limit')).toMatchObject({ status: { code: 'UNSET' }, attributes: { 'gateway.rate_limit.outcome': 'refused', 'gateway.limiter': 'caller', 'gateway.error_code': 'GW.2001' } });
    expect(named(spans, `POST ${ROUTE}`)).toMatchObject({ status: { code: 'UNSET' }, attributes: { 'http.response.status_code': 429, 'gateway.limiter': 'caller' } });
    expect(spans.map((s) => s.name)).not.toContain('drs batch-precheck');
  });

  it('leaves health probes and scrapes untraced', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await send(gateway.url, path, { method: 'GET' })).status).toBe(200);
    const traceId = hex(16);
    await send(gateway.url, '/openapi.json', { method: 'GET', headers: { traceparent: `00-${traceId}-${hex(8)}-01` } });
    // Spans leave in the order they end, so once the later request's span is in, the probes' would be too.
    await receiver.waitFor((all) => inTrace(traceId, all).length > 0);
    expect(receiver.spans().filter((s) => s.kind === 'SERVER' && s.name.startsWith('GET')).map((s) => s.name)).toEqual(['GET /openapi.json']);
  });

  it('names a request that matched no route by its method only, never by its raw path', async () => {
    const traceId = hex(16);
    const res = await send(gateway.url, `/v3/${PROJECT}/jobs/no-such-route`, { headers: { traceparent: `00-${traceId}-${hex(8)}-01` }, body: {} });
    expect(res.status).toBe(404);
    const [inbound] = inTrace(traceId, await receiver.waitFor((all) => inTrace(traceId, all).length > 0));
    expect(inbound).toMatchObject({ name: 'POST', kind: 'SERVER', attributes: { 'http.response.status_code': 404, 'gateway.error_code': 'GW.0404' } });
    expect(inbound!.attributes['http.route']).toBeUndefined();
    expect(JSON.stringify(inbound)).not.toContain('no-such-route');
  });
});

describe("the gateway's stop() and the trace exporter", () => {
  it('exports the spans still queued when the gateway stops', async () => {
    const receiver = await startOtlpReceiver();
    try {
      // A batch delay far beyond the test: only stop() can send these spans.
      const gateway = await startTestGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '600000' });
      const traceId = hex(16);
      expect((await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(), traceparent: `00-${traceId}-${hex(8)}-01` }, body: precheckBody })).status).toBe(200);
      expect(receiver.spans()).toEqual([]);
      await gateway.stop();
      expect(inTrace(traceId, receiver.spans()).map((s) => s.name).sort()).toEqual([...SPAN_NAMES].sort());
    } finally {
      await receiver.close();
    }
  });

  it('still stops promptly when the collector accepts connections and never answers', async () => {
    const receiver = await startOtlpReceiver();
    receiver.answer('hang');
    try {
      const gateway = await startTestGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '600000', OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
      expect((await send(gateway.url, PRECHECK, { headers: { Authorization: bearer() }, body: precheckBody })).status).toBe(200);
      const started = Date.now();
      await gateway.stop();
      // The trace step's own deadline is under 2 s; the bound leaves room for a loaded machine, and is far below the
      // 30 s batch timeout the SDK would otherwise wait.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(receiver.requestCount()).toBeGreaterThanOrEqual(1);
    } finally {
      await receiver.close();
    }
  });
});
