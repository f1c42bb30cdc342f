// Requests the request fuzzer (test/component/fuzzRequests.test.ts) found answered outside the error format: each is now a problem.
import { gzipSync } from 'node:zlib';
import { encode, exchange, type Answer, type WireRequest } from '../support/rawHttp';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

const PRECHECK = `/v3/${PROJECT}/jobs/batch-precheck`;
const BODY = JSON.stringify({ jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] });

describe('hostile requests answered in the error format', () => {
  let gateway: TestGateway;
  const auth: [string, string] = ['Authorization', bearer(signToken({ sub: 'hostile', projects: ['*'] }, { expiresIn: 3600 }))];
  const json: [string, string] = ['Content-Type', 'application/json'];

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '1000', SERVER_HEADERS_TIMEOUT_MS: '1000' });
  });
  afterAll(() => gateway.stop());

  const send = async (request: Partial<WireRequest>): Promise<Answer> => {
    const answer = await exchange(gateway.port, encode({ method: 'POST', target: PRECHECK, headers: [], body: '', chunked: false, ...request }, gateway.port));
    if (answer === undefined) throw new Error('the connection closed without an answer');
    return answer;
  };

  const problemOf = (answer: Answer): Record<string, unknown> => {
    expect(answer.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    const problem = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    expect(problem.status).toBe(answer.status);
    expect(problem.request_id).toBe(answer.headers.get('x-request-id'));
    return problem;
  };

  it.each([
    ['the start route', 'POST', '/v3/%/jobs/batch-precheck'],
    ['the progress route', 'GET', '/v3/%zz/jobs/precheck-progress?jobs=' + JOB],
  ])('answers a path that is not valid percent-encoding on %s with 400 GW.0400 (it was a 500)', async (_route, method, target) => {
    const answer = await send({ method, target, headers: [auth, json], body: method === 'POST' ? BODY : '' });
    expect(answer.status).toBe(400);
    expect(problemOf(answer)).toMatchObject({ error_code: 'GW.0400', errors: [{ message: 'the path is not valid percent-encoding' }] });
  });

  it('answers a gzip-labelled body that does not inflate with 400 GW.0400 naming Content-Encoding (it was a 500), and still reads a real gzip body', async () => {
    const broken = await send({ headers: [auth, json, ['Content-Encoding', 'gzip']], body: BODY });
    expect(broken.status).toBe(400);
    expect(problemOf(broken)).toMatchObject({ error_code: 'GW.0400', errors: [{ header: 'Content-Encoding', message: 'the body does not decode with this encoding' }] });
    const real = await send({ headers: [auth, json, ['Content-Encoding', 'gzip']], body: gzipSync(BODY).toString('latin1') });
    expect(real.status).toBe(200);
  });

  it('answers a header with a byte HTTP forbids with a 400 problem, where Node wrote a bare status line', async () => {
    const answer = await send({ headers: [auth, json, ['X-Language', 'en-us\u0000']], body: BODY });
    expect(answer.status).toBe(400);
    expect(problemOf(answer)).toMatchObject({ error_code: 'GW.0400', instance: '', errors: [{ message: 'a header name or value has characters HTTP does not allow' }] });
  });

  it('answers headers over 16 KiB with 431 GW.0431 as a problem', async () => {
    const answer = await send({ headers: [auth, json, ['X-Padding', 'p'.repeat(17 * 1024)]], body: BODY });
    expect(answer.status).toBe(431);
    expect(problemOf(answer)).toMatchObject({ error_code: 'GW.0431', title: 'Request headers too large' });
  });

  it('serves a request with an Expect it cannot meet like any other (it got a bare 417 from Node)', async () => {
    const answer = await send({ headers: [auth, json, ['Expect', 'foo']], body: BODY });
    expect(answer.status).toBe(200);
  });

  it.each([
    ['a known path', '/admin/config', 405, 'GW.0405'],
    ['an unknown path', '/nowhere', 404, 'GW.0404'],
    ['a host and port', 'drs.example.com:443', 404, 'GW.0404'],
  ])('answers CONNECT to %s with a problem (the connection closed without a word)', async (_name, target, status, code) => {
    const answer = await send({ method: 'CONNECT', target, headers: [auth] });
    expect(answer.status).toBe(status);
    expect(problemOf(answer)).toMatchObject({ error_code: code });
    if (status === 405) expect(answer.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers a request whose headers do not arrive within SERVER_HEADERS_TIMEOUT_MS with 408 GW.0408 as a problem', async () => {
    // Only the start of a head: the gateway's deadline, not the test, ends the exchange.
    const answer = await exchange(gateway.port, Buffer.from('GET /healthz HTTP/1.1\r\nHost: gateway\r\n', 'latin1'));
    expect(answer?.status).toBe(408);
    expect(problemOf(answer as Answer)).toMatchObject({ error_code: 'GW.0408' });
  });
});
