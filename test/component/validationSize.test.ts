import fc from 'fast-check';
import type { Simulator } from '../../src/simulator/startSimulator';
import { MAX_LISTED_PROBLEMS } from '../../src/validation/validate';
import { PRECHECK, RESULT } from '../support/drsPaths';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, signToken } from '../support/tokens';

const BODY_LIMIT = 16 * 1024;

/** The problem fields every 400 has (title, detail, instance, request id...) fit in this, whatever the body. */
const ENVELOPE_BYTES = 4 * 1024;

interface Problem {
  error_code: string;
  errors: Array<{ pointer?: string; parameter?: string; message: string }>;
  errors_omitted?: number;
}

describe('a 400 is never much larger than the request that caused it', () => {
  let gateway: TestGateway;
  const auth = { Authorization: bearer(signToken({ sub: 'size-checker', projects: ['*'] }, { expiresIn: 3600 })) };

  beforeAll(async () => {
    gateway = await startTestGateway({ RATE_LIMIT_MAX: '100000', IP_RATE_LIMIT_MAX: '100000' });
  });
  afterAll(async () => {
    expect((gateway.simulator as Simulator).stats.drsRequests).toBe(0);
    await gateway.stop();
  });

  const post = (path: string, raw: string) => send(gateway.url, path, { headers: auth, raw });

  it('lists at most 20 problems and counts the rest in errors_omitted', async () => {
    const raw = JSON.stringify({ jobs: [], ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 0])) });
    const res = await post(PRECHECK, raw);
    expect(res.status).toBe(400);
    const problem = res.json<Problem>();
    expect(problem.errors).toHaveLength(MAX_LISTED_PROBLEMS);
    // 500 unknown properties and the empty jobs array.
    expect(problem.errors_omitted).toBe(501 - MAX_LISTED_PROBLEMS);
  });

  it('leaves errors_omitted out when every problem is listed', async () => {
    const problem = (await post(PRECHECK, '{"jobs":[],"extra":1}')).json<Problem>();
    expect(problem.errors).toHaveLength(2);
    expect(problem).not.toHaveProperty('errors_omitted');
  });

  it('cuts a long property name in its pointer, with an ellipsis, and never echoes it whole', async () => {
    const name = `secret-looking-${'x'.repeat(8000)}`;
    const res = await post(RESULT, JSON.stringify({ jobs: ['j'], [name]: 1 }));
    expect(res.status).toBe(400);
    const pointers = res.json<Problem>().errors.map((e) => e.pointer);
    expect(pointers).toContain(`/${name.slice(0, 39)}…`);
    expect(res.text).not.toContain('x'.repeat(100));
    expect(res.text.length).toBeLessThan(ENVELOPE_BYTES);
  });

  it('holds for random bodies with many and long keys (property)', async () => {
    const key = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ unit: 'binary', minLength: 30, maxLength: 600 }));
    const junk = fc.oneof(fc.constant(0), fc.string({ maxLength: 20 }), fc.constant(null), fc.dictionary(key, fc.constant(1), { maxKeys: 20 }));
    const body = fc.record(
      {
        // Up to 10 jobs are checked one by one; a longer array is one problem.
        jobs: fc.oneof(fc.array(junk, { maxLength: 12 }), fc.array(junk, { maxLength: 400 })),
        extra: fc.dictionary(key, junk, { minKeys: 0, maxKeys: 600 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(PRECHECK, RESULT), async ({ jobs, extra }, path) => {
        const raw = JSON.stringify({ ...extra, ...(jobs ? { jobs } : {}) });
        const requestBytes = Buffer.byteLength(raw);
        fc.pre(requestBytes <= BODY_LIMIT);
        const res = await post(path, raw);
        if (res.status !== 400) return;
        const responseBytes = Buffer.byteLength(res.text);
        expect(responseBytes).toBeLessThanOrEqual(ENVELOPE_BYTES + requestBytes);
        // Absolute too: the listed problems are capped in number and length.
        expect(responseBytes).toBeLessThanOrEqual(2 * ENVELOPE_BYTES);
        expect(res.json<Problem>().errors.length).toBeLessThanOrEqual(MAX_LISTED_PROBLEMS);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
