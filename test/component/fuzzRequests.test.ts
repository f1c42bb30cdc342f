// Fuzzes the request parser and validator over real sockets: hostile requests get a documented answer of bounded size, never a 5xx, a crash or a secret.
import fc from 'fast-check';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue';
import type { ProblemBody as Problem } from '../../src/errors/problem';
import { createLogger } from '../../src/logger';
import type { Simulator } from '../../src/simulator/startSimulator';
import { MAX_LISTED_PROBLEMS, MAX_MESSAGE_CHARS, MAX_POINTER_TOKEN_CHARS } from '../../src/validation/validate';
import { assertFuzz, FUZZ_TIMEOUT_MS, replayCorpus } from '../fuzz/support/fuzzing';
import { logLines } from '../support/logLines';
import { encode, exchange, type Answer, type WireRequest } from '../support/rawHttp';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { JOB, JOB_2, OTHER_PROJECT, PROJECT, signToken, TEST_SECRET } from '../support/tokens';

const BODY_LIMIT = 16 * 1024;
/**
 * The bound on a problem's size, from the caps that make it: every member but `instance` and `errors` fits in 4 KiB
 * (title, detail, codes, a request id of at most 128 characters, `upstream`); `instance` is the caller's own path
 * (Node caps the request head at 16 KiB), at most twice its length once JSON-escaped; `errors` lists at most 20
 * problems, each a pointer of at most 3 tokens (/jobs/<index>/<property>) of at most 40 code points, and a message of
 * at most 200 characters, each code point at most 6 bytes once escaped: about 44 KiB plus twice the path, however
 * large or deep the body. And no answer is more than 4 KiB larger than the request itself, so a request cannot make
 * the gateway send much more than it received (the answers seen stay under 5 KiB).
 */
const ENVELOPE_BYTES = 4 * 1024;
const PROBLEM_ENTRY_BYTES = 3 * (MAX_POINTER_TOKEN_CHARS * 6 + 1) + MAX_MESSAGE_CHARS * 6 + 64;
const maxAnswerBytes = (instance: string): number => ENVELOPE_BYTES + 2 * Buffer.byteLength(instance) + MAX_LISTED_PROBLEMS * PROBLEM_ENTRY_BYTES;

/** Signed when the test starts (they expire); requests and the corpus name them as `{token.<name>}`. */
const TOKENS: Record<string, string> = {
  valid: signToken({ sub: 'fuzzer', scope: 'drs:precheck gateway:admin', projects: [PROJECT] }, { expiresIn: 3600 }),
  readOnly: signToken({ sub: 'fuzzer-reader', scope: 'gateway:admin:read', projects: [PROJECT] }, { expiresIn: 3600 }),
  noScope: signToken({ sub: 'fuzzer-noscope', scope: '', projects: ['*'] }, { expiresIn: 3600 }),
  expired: signToken({ sub: 'fuzzer-expired' }, { expiresIn: -120 }),
  wrongKey: signToken({ sub: 'fuzzer' }, { expiresIn: 3600 }, 'another-secret-that-is-long-enough-0123456789abcdef'),
};
const ALG_NONE = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","exp":9999999999}').toString('base64url')}.`;

// ---- generators -------------------------------------------------------------------------------------------------

const latin1Of = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
const unicode = fc.string({ unit: 'grapheme', maxLength: 20 });
/** Header values: mostly printable, sometimes any byte but CR and LF (they would end the line and change the request's shape). */
const headerText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => latin1Of(s).replace(/[\r\n]/g, '')) },
);

const projectSegment = fc.oneof(
  { weight: 8, arbitrary: fc.constant(PROJECT) },
  { weight: 1, arbitrary: fc.constant(OTHER_PROJECT) },
  { weight: 2, arbitrary: fc.constantFrom('short', PROJECT.toUpperCase(), `${PROJECT}0`, '%', '%zz', '%00', '%2F', '..', '.', '', '%E4%BD%A0', 'a'.repeat(65), 'a'.repeat(4000)) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9%._~-]{0,80}$/) },
);
const jobId = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(JOB, JOB_2) }, { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/) }, { weight: 1, arbitrary: fc.constantFrom('', 'x', JOB.toUpperCase(), `${JOB} `, '%2C') });
const query = fc.oneof(
  fc.array(jobId, { maxLength: 12 }).map((ids) => `?jobs=${ids.join(',')}`),
  fc.constantFrom('', '?', '?jobs=', '?jobs', `?jobs=${JOB}&jobs=${JOB_2}`, `?jobs[]=${JOB}`, `?jobs=${JOB}%2C${JOB_2}`, `?jobs=${JOB},${JOB}`, `?dry_run=true`, '?%zz=1', `?jobs=${JOB}&x=${'y'.repeat(3000)}`),
);

type RouteKind = 'start' | 'results' | 'progress' | 'admin' | 'other';

/** The routes under test, and a few paths near them; a target is written as the raw bytes of the request line. */
const target: fc.Arbitrary<{ kind: RouteKind; path: string }> = fc.oneof(
  { weight: 5, arbitrary: projectSegment.map((p) => ({ kind: 'start' as const, path: `/v3/${p}/jobs/batch-precheck` })) },
  { weight: 3, arbitrary: projectSegment.map((p) => ({ kind: 'results' as const, path: `/v3/${p}/jobs/batch-precheck-result` })) },
  { weight: 3, arbitrary: fc.tuple(projectSegment, query).map(([p, q]) => ({ kind: 'progress' as const, path: `/v3/${p}/jobs/precheck-progress${q}` })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('/admin/config', '/admin/config/reload', '/admin/iam-tokens/invalidate'), fc.constantFrom('', '', '?dry_run=true', '?dry_run=nope', '/', '?x'))
      .map(([p, q]) => ({ kind: 'admin' as const, path: `${p}${q}` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.constantFrom('v3', PROJECT, 'jobs', 'admin', 'config', '..', '.', '%2e%2e', '', 'V3', 'ADMIN', 'batch-precheck', '%00', '\u00e9', '*'), { maxLength: 6 })
      .map((segments) => ({ kind: 'other' as const, path: `/${segments.join('/')}` })),
  },
  { weight: 1, arbitrary: fc.constantFrom('*', 'http://example.com/v3/x', `//v3/${PROJECT}/jobs/batch-precheck`, `/v3/${PROJECT}/jobs/batch-precheck#frag`).map((path) => ({ kind: 'other' as const, path })) },
);

const method = fc.oneof({ weight: 7, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT') });

const authorization = fc.oneof(
  { weight: 10, arbitrary: fc.constant('Bearer {token.valid}') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'bearer {token.valid}',
      'Bearer  {token.valid} ',
      'Bearer {token.readOnly}',
      'Bearer {token.noScope}',
      'Bearer {token.expired}',
      'Bearer {token.wrongKey}',
      `Bearer ${ALG_NONE}`,
      'Bearer {token.valid}x',
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
      'Bearer',
      'Bearer ',
      '',
      `Bearer ${'a'.repeat(9000)}.b.c`,
      `Bearer a.b.c`,
    ),
  },
  { weight: 1, arbitrary: headerText.map((t) => `Bearer ${t}`) },
);
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=UTF-16LE',
      'application/json; charset=latin1',
      'application/json; charset=bogus',
      'APPLICATION/JSON',
      'application/json-patch+json',
      'application/problem+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json, text/plain',
      ';;;',
      '',
    ),
  },
);

/** Extra header lines: the ones the gateway reads, with good and bad values, and some it should ignore. */
const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('X-Language', 'x-language'), fc.oneof(fc.constantFrom('en-us', 'zh-cn', 'ZH-CN', 'fr-fr', '', 'en-us, zh-cn', 'a'.repeat(300)), headerText)) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('Idempotency-Key'), fc.oneof(fc.constantFrom('k-1', 'k-1', 'k.2_3', 'a'.repeat(128), 'a'.repeat(129), 'has space', ''), headerText)) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('X-Request-Id'), fc.oneof(fc.constantFrom('req-1', 'a'.repeat(128), 'a'.repeat(129), '', 'bad id', '../etc'), headerText)) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('traceparent'), fc.constantFrom('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-00000000000000000000000000000000-b7ad6b7169203331-01', 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01', 'garbage')) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('Content-Encoding'), fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'gzip, gzip')) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', '200-ok', 'foo')) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('Accept', 'Origin', 'Cookie', 'X-Forwarded-For', 'X-Forwarded-Proto', 'Accept-Language', 'If-None-Match', 'Range'), headerText) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('Authorization'), authorization) },
  { weight: 3, arbitrary: fc.tuple(fc.stringMatching(/^X-[A-Za-z0-9-]{1,20}$/), headerText) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('X Bad Name', 'X-Padding', '(x)', ''), fc.constantFrom('p', 'p'.repeat(17 * 1024))) },
);

const job = fc.record({ job_id: jobId, precheck_mode: fc.constantFrom('forStartJob', 'forRetryJob') });
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1.5, '', [], {}, 'forStartJob ', '__proto__'),
  unicode,
  fc.jsonValue({ maxDepth: 2 }),
);
const extraKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'extra', ''), fc.string({ maxLength: 50 }), fc.string({ unit: 'binary', minLength: 60, maxLength: 300 }));

/** A JSON document near the pre-check shapes: each part right, wrong, missing or joined by unknown keys. */
const jsonBody: fc.Arbitrary<string> = fc
  .record({
    jobs: fc.oneof(
      { weight: 6, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: job }, { weight: 1, arbitrary: wrongValue }), { maxLength: 12 }) },
      { weight: 2, arbitrary: fc.array(jobId, { maxLength: 12 }) },
      { weight: 1, arbitrary: wrongValue },
    ),
    itemExtras: fc.array(fc.tuple(fc.nat(11), extraKey, wrongValue), { maxLength: 3 }),
    extras: fc.array(fc.tuple(extraKey, wrongValue), { maxLength: 3 }),
    projectId: fc.option(fc.oneof(fc.constant(PROJECT), wrongValue), { nil: undefined }),
  })
  .map(({ jobs, itemExtras, extras, projectId }) => {
    const items = Array.isArray(jobs) ? jobs.map((item) => (typeof item === 'object' && item !== null && !Array.isArray(item) ? { ...item } : item)) : jobs;
    if (Array.isArray(items)) {
      for (const [index, key, value] of itemExtras) {
        const item = items[index % Math.max(1, items.length)];
        if (typeof item === 'object' && item !== null && !Array.isArray(item)) Object.defineProperty(item, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    const body: Record<string, unknown> = { jobs: items, ...(projectId === undefined ? {} : { project_id: projectId }) };
    for (const [key, value] of extras) Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    return latin1Of(JSON.stringify(body));
  });

/** Bodies that are not valid JSON, or JSON at the edges: duplicate keys, huge numbers, deep nesting, sizes around 16 KiB. */
const oddBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '{', '{"jobs": [', 'null', '[]', '0', '"jobs"', 'NaN', '{"jobs":[]} trailing', '\uFEFF{"jobs":[]}', '{"jobs":[],"jobs":[1]}', '{"jobs":1e400}', `{"jobs":[{"job_id":"${JOB}","precheck_mode":"forStartJob","n":123456789012345678901234567890}]}`, '{"a":"\\ud800"}', '{/*c*/}'),
  fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.integer({ min: 10, max: 9000 }).map((depth) => `{"jobs":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  fc.integer({ min: -64, max: 64 }).map((delta) => {
    const head = `{"jobs":[{"job_id":"${JOB}","precheck_mode":"forStartJob"}],"pad":"`;
    return `${head}${'x'.repeat(BODY_LIMIT + delta - head.length - 2)}"}`;
  }),
  fc.integer({ min: -64, max: 64 }).map((delta) => `${' '.repeat(BODY_LIMIT + delta - 11)}{"jobs":[]}`),
);

/** Bodies each route accepts, so that requests also get past validation to IAM, DRS and idempotency. */
const validBody = (kind: RouteKind): fc.Arbitrary<string> => {
  if (kind === 'start') return fc.uniqueArray(job, { minLength: 1, maxLength: 10, selector: (j) => j.job_id }).map((jobs) => JSON.stringify({ jobs }));
  if (kind === 'results') return fc.uniqueArray(jobId, { minLength: 1, maxLength: 10 }).map((jobs) => JSON.stringify({ jobs }));
  return fc.constantFrom('', '{}', JSON.stringify({ project_id: PROJECT }));
};

const request: fc.Arbitrary<WireRequest> = target.chain(({ kind, path }) =>
  fc
    .record({
      method,
      authorization: fc.option(authorization, { nil: undefined, freq: 8 }),
      contentType: fc.option(contentType, { nil: undefined, freq: 8 }),
      extra: fc.array(extraHeader, { maxLength: 4 }),
      body: fc.oneof({ weight: 4, arbitrary: validBody(kind) }, { weight: 3, arbitrary: jsonBody }, { weight: 2, arbitrary: oddBody }),
      chunked: fc.boolean(),
    })
    .map(({ method: chosen, authorization: auth, contentType: type, extra, body, chunked }) => {
      const verb = chosen ?? (kind === 'progress' || path === '/admin/config' ? 'GET' : 'POST');
      const headers: Array<[string, string]> = [
        ...(auth === undefined ? [] : [['Authorization', auth] as [string, string]]),
        ...(type === undefined ? [] : [['Content-Type', type] as [string, string]]),
        ...extra,
      ];
      return { method: verb, target: path, headers, body: verb === 'GET' || verb === 'HEAD' ? '' : body, chunked };
    }),
);

/** The request with each `{token.<name>}` replaced by that token. */
const withTokens = (input: WireRequest): WireRequest => ({
  ...input,
  headers: input.headers.map(([name, value]) => [name, value.replace(/\{token\.(\w+)\}/g, (marker, token: string) => TOKENS[token] ?? marker)]),
});

// ---- the oracle -------------------------------------------------------------------------------------------------



/** A 200's documented shape, by route; undefined when no 200 is documented for this request. */
const documentedSuccess = (method: string, path: string): ((body: unknown, answer: Answer) => boolean) | undefined => {
  const json = (answer: Answer) => (answer.headers.get('content-type') ?? '').startsWith('application/json');
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (method === 'POST' && /^\/v3\/[A-Za-z0-9]{32,64}\/jobs\/batch-precheck(-result)?$/.test(path)) {
    return (body, answer) => json(answer) && isObject(body) && Array.isArray(body.results) && typeof body.count === 'number';
  }
  if ((method === 'GET' || method === 'HEAD') && /^\/v3\/[A-Za-z0-9]{32,64}\/jobs\/precheck-progress$/.test(path)) return (_body, answer) => (answer.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if ((method === 'GET' || method === 'HEAD') && path === '/admin/config') return (body, answer) => method === 'HEAD' || (json(answer) && isObject(body) && isObject(body.version));
  if (method === 'POST' && path === '/admin/config/reload') return (body, answer) => json(answer) && isObject(body) && isObject(body.version);
  if (method === 'POST' && path === '/admin/iam-tokens/invalidate') {
    return (body, answer) => json(answer) && isObject(body) && ((body.scope === 'all' && isObject(body.dropped)) || (body.scope === 'project' && body.project_id === PROJECT));
  }
  return undefined;
};

const GATEWAY_CODES = new Set(Object.keys(ERROR_CATALOGUE).filter((code) => code !== 'DRS.PASSTHROUGH'));
/** Refusals that come before anything is forwarded: while one is answered, DRS must see nothing. */
const BEFORE_UPSTREAM = /^GW\.(0[0-9]{3}|1[0-9]{3}|2[0-9]{3})$/;
const STACK_TRACE = /\n\s+at \S|node_modules|\/work\/|\.ts:\d+:\d+/;
const codePoints = (text: string): number => [...text].length;

const expectProblem = (input: WireRequest, answer: Answer, path: string): Problem => {
  const where = `${input.method} ${input.target.slice(0, 120)} -> ${answer.status}`;
  if (answer.headers.get('content-type') !== 'application/problem+json; charset=utf-8') throw new Error(`${where}: not a problem (Content-Type ${answer.headers.get('content-type')}): ${answer.raw.slice(0, 300)}`);
  if (input.method === 'HEAD') return { status: answer.status } as Problem;
  const problem = JSON.parse(answer.body.toString('utf8')) as Problem;
  const code = problem.error_code;
  if (!(GATEWAY_CODES.has(code) || (/^DRS\.[A-Z0-9]+$/.test(code) && problem.upstream !== undefined))) throw new Error(`${where}: undocumented error_code ${JSON.stringify(code)}`);
  if (problem.status !== answer.status) throw new Error(`${where}: body status ${problem.status}`);
  if (GATEWAY_CODES.has(code) && ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].status !== answer.status) throw new Error(`${where}: ${code} is ${ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].status} in the catalogue`);
  expect(problem.request_id).toBe(answer.headers.get('x-request-id'));
  expect(problem.type.endsWith(`#${code}`)).toBe(true);
  // Refused before the app read a path (Node's parser, or a CONNECT to a host:port): those problems have none.
  if (problem.instance === '') expect(['GW.0400', 'GW.0404', 'GW.0408', 'GW.0413', 'GW.0431']).toContain(code);
  else expect(problem.instance).toBe(path);
  for (const field of ['title', 'detail', 'error_msg'] as const) expect(typeof problem[field]).toBe('string');
  if (problem.errors !== undefined) {
    expect(problem.errors.length).toBeLessThanOrEqual(MAX_LISTED_PROBLEMS);
    for (const entry of problem.errors) {
      expect(codePoints(entry.message)).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
      for (const token of (entry.pointer ?? '').split('/').slice(1)) expect(codePoints(token.replace(/~[01]/g, '~'))).toBeLessThanOrEqual(MAX_POINTER_TOKEN_CHARS);
    }
    if (problem.errors_omitted !== undefined) expect(problem.errors).toHaveLength(MAX_LISTED_PROBLEMS);
  }
  if (code === 'GW.0405') expect(answer.headers.get('allow')).toBeDefined();
  if (code === 'GW.1001') expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  if (answer.status === 429) expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  return problem;
};

describe('hostile requests to the pre-check, progress and admin routes (fuzzing)', () => {
  let gateway: TestGateway;
  let simulator: Simulator;
  const log = logLines();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '1000000', IP_RATE_LIMIT_MAX: '1000000', LOG_LEVEL: 'debug' }, { logger: createLogger('debug', log.sink) });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await gateway.stop();
  });

  /** What must never leave the gateway: the callers' tokens, the signing secret, the IAM tokens and password, where the simulator listens. */
  const secrets = (): string[] => [
    ...Object.values(TOKENS),
    TEST_SECRET,
    `127.0.0.1:${simulator.port}`,
    `localhost:${simulator.port}`,
    `:${simulator.port}/`,
    ...simulator.stats.requests.map((r) => String(r.headers['x-auth-token'] ?? '')).filter((t) => t.length > 16),
  ];

  const check = async (written: WireRequest): Promise<void> => {
    const input = withTokens(written);
    const drsBefore = simulator.stats.drsRequests;
    const logBefore = log.lines.length;
    const answer = await exchange(gateway.port, encode(input, gateway.port));
    const where = `${input.method} ${input.target.slice(0, 120)}`;
    if (answer === undefined) throw new Error(`${where}: the connection closed without an answer`);
    if (answer.status >= 500) throw new Error(`${where}: ${answer.status} ${answer.raw.slice(0, 400)}`);

    const path = input.target.split('?')[0] ?? '';
    const success = documentedSuccess(input.method, path);
    if (answer.status >= 200 && answer.status < 300) {
      const streaming = (answer.headers.get('content-type') ?? '').startsWith('text/event-stream');
      const body: unknown = answer.body.length === 0 || streaming ? undefined : JSON.parse(answer.body.toString('utf8'));
      if (!success?.(body, answer)) throw new Error(`${where}: an undocumented ${answer.status}: ${answer.raw.slice(0, 300)}`);
    } else {
      const problem = expectProblem(input, answer, path);
      if (BEFORE_UPSTREAM.test(problem.error_code ?? '') && simulator.stats.drsRequests !== drsBefore) throw new Error(`${where}: refused with ${problem.error_code}, yet DRS was called`);
      if (answer.body.length > maxAnswerBytes(path)) throw new Error(`${where}: a ${answer.body.length}-byte answer, over the bound its caps give`);
      const requestBytes = encode(input, gateway.port).length;
      if (answer.body.length > ENVELOPE_BYTES + requestBytes) throw new Error(`${where}: a ${answer.body.length}-byte answer to a ${requestBytes}-byte request`);
    }
    if (STACK_TRACE.test(answer.body.toString('utf8'))) throw new Error(`${where}: a stack trace or source path in the answer`);
    const newLogLines = log.lines.slice(logBefore).join('\n');
    for (const secret of secrets()) {
      // The path and body are the caller's own: an answer may repeat them (instance), never anything else.
      if (answer.raw.includes(secret) && !(input.target.includes(secret) || input.body.includes(secret))) throw new Error(`${where}: the answer shows a secret (${secret.slice(0, 12)}…)`);
      if (newLogLines.includes(secret)) throw new Error(`${where}: a log line shows a secret (${secret.slice(0, 12)}…)`);
    }
    const health = await exchange(gateway.port, encode({ method: 'GET', target: '/healthz', headers: [], body: '', chunked: false }, gateway.port));
    expect(health?.status).toBe(200);
    expect(unhandled).toEqual([]);
  };

  describe('replays its kept corpus first', () => {
    replayCorpus('requests', check);
  });

  it('answers every hostile request with a documented 200 or problem of bounded size, never a 5xx, a secret or a crash', async () => {
    await assertFuzz('requests', fc.asyncProperty(request, check), 300);
  }, FUZZ_TIMEOUT_MS);
});
