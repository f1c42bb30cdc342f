import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { createIamClient } from '../../src/iam/createIamClient';
import type { HttpClient, HttpResponse } from '../../src/outbound/createHttpClient';
import { FakeClock } from '../support/fakeClock';
import { inMemoryTrace } from '../support/inMemoryTrace';

const TOKEN_VALUE = `MII${'A'.repeat(64)}`;

/** An IAM that answers every token request with a 201 whose expires_at the test sets, counting requests. */
const iamAnswering = (expiresAt: () => number) => {
  let calls = 0;
  const http: HttpClient = {
    server: { address: 'iam.test', port: 443 },
    async post(): Promise<HttpResponse> {
      calls += 1;
      return { status: 201, headers: { 'x-subject-token': TOKEN_VALUE }, data: JSON.stringify({ token: { expires_at: new Date(expiresAt()).toISOString(), methods: ['password'] } }) };
    },
    close() {},
  };
  return { http, calls: () => calls };
};

const setup = (lifetimeMs: number) => {
  const clock = new FakeClock();
  const iam = iamAnswering(() => clock.now() + lifetimeMs);
  const warnings: Array<{ obj: object; msg: string }> = [];
  const client = createIamClient({ http: iam.http, domainName: 'd', userName: 'u', password: 'p', clock, logger: { warn: (obj, msg) => warnings.push({ obj, msg }) } });
  return { client, iam, warnings, clock };
};

describe('createIamClient: a token must still be usable by the gateway clock when IAM issues it', () => {
  it.each([
    ['expires exactly now', 0],
    ['expired an hour ago', -3_600_000],
    ['has less than the 1 s guard left', 999],
  ])('refuses a token that %s with GW.3002 after one request, and logs it once without the token', async (_name, lifetimeMs) => {
    const { client, iam, warnings } = setup(lifetimeMs);
    await expect(client.fetchToken('p1')).rejects.toMatchObject({ code: 'GW.3002', status: 503, options: { retryAfterSeconds: 5, upstream: { status: 201 } } });
    expect(iam.calls()).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/already expired/);
    expect(warnings[0]!.obj).toMatchObject({ projectId: 'p1', behindMs: 0 - lifetimeMs });
    expect(JSON.stringify(warnings)).not.toContain(TOKEN_VALUE);
  });

  it('accepts a token with more than the guard left', async () => {
    const { client, warnings, clock } = setup(1_001);
    await expect(client.fetchToken('p1')).resolves.toEqual({ value: TOKEN_VALUE, expiresAt: clock.now() + 1_001, obtainedAt: clock.now() });
    expect(warnings).toEqual([]);
  });
});

describe('createIamClient: the IAM fetch span of a traced request', () => {
  /** An IAM whose one answer (or transport failure) the test gives. */
  const clientAnswering = (answer: HttpResponse | Error) => {
    const http: HttpClient = {
      server: { address: 'iam.test', port: 443 },
      post: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
      close() {},
    };
    return createIamClient({ http, domainName: 'd', userName: 'u', password: 's3cr3t-pa55', region: 'north', clock: new FakeClock(), logger: { warn: () => undefined } });
  };
  const issued = (clock: FakeClock): HttpResponse => ({ status: 201, headers: { 'x-subject-token': TOKEN_VALUE }, data: JSON.stringify({ token: { expires_at: new Date(clock.now() + 3_600_000).toISOString() } }) });

  it('is a CLIENT span under the request that asked, with IAM host, project, region and status, and no token or password', async () => {
    const { spans, trace } = inMemoryTrace();
    await clientAnswering(issued(new FakeClock())).fetchToken('p1', { trace });
    const [span] = spans.getFinishedSpans();
    expect(span?.name).toBe('iam token');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.parentSpanContext?.spanId).toBe(trace.span.spanContext().spanId);
    expect(span?.attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': 'iam.test',
      'server.port': 443,
      'gateway.project_id': 'p1',
      'gateway.region': 'north',
      'http.response.status_code': 201,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(JSON.stringify(spans.getFinishedSpans().map((s) => [s.attributes, s.status, s.events]))).not.toMatch(/MII|s3cr3t/);
  });

  it.each([
    ['refused credentials', { status: 401, headers: {}, data: '{"error":{"code":401,"message":"The username or password is wrong."}}' }, { 'http.response.status_code': 401, 'error.type': '401', 'gateway.error_code': 'GW.3001' }],
    ['an unreachable IAM', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), { 'error.type': 'unreachable', 'gateway.error_code': 'GW.3002' }],
    ['a 201 without a token', { status: 201, headers: {}, data: '{}' }, { 'http.response.status_code': 201, 'error.type': 'invalid-token', 'gateway.error_code': 'GW.3002' }],
  ])('is an error for %s, described by the code only', async (_case, answer, attributes) => {
    const { spans, trace } = inMemoryTrace();
    await expect(clientAnswering(answer).fetchToken('p1', { trace })).rejects.toMatchObject({ code: attributes['gateway.error_code'] });
    const [span] = spans.getFinishedSpans();
    expect(span?.attributes).toMatchObject(attributes);
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: attributes['gateway.error_code'] });
  });

  it('opens no span when the request is not traced', async () => {
    const { spans } = inMemoryTrace();
    await clientAnswering(issued(new FakeClock())).fetchToken('p1', {});
    expect(spans.getFinishedSpans()).toEqual([]);
  });
});
