// Error classification and retry decisions: which failures the client repeats, and how long it waits.
import fc from 'fast-check';
import { classifyFailure, GatewayClientError, type Problem } from '../src';
import { newIdempotencyKey } from '../src/idempotencyKey';
import { backoffMs, DEFAULT_RETRY_POLICY, retryDelayMs, sleep, type RetryPolicy } from '../src/retry';

const problem = (status: number, error_code: string): Problem => ({
  type: `/errors#${error_code}`,
  title: 't',
  status,
  detail: 'd',
  instance: '/v3/p/jobs/batch-precheck',
  error_code,
  error_msg: 'm',
  request_id: 'r1',
});
const failure = (status: number, code: string, idempotent: boolean, headers: Record<string, string> = {}, now = 0) =>
  new GatewayClientError({ problem: problem(status, code), headers: new Headers(headers), idempotent, now });

const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, random: () => 0.5 };

describe('classifying gateway failures', () => {
  it.each([
    ['GW.2001', 429], ['GW.2002', 429], ['GW.2003', 429], ['GW.3008', 429], ['GW.3002', 503], ['GW.3006', 503], ['GW.5030', 503], ['GW.5031', 503], ['GW.1003', 401], ['GW.0409', 409],
  ])('%s (%i) is transient: retryable even without an Idempotency-Key', (code, status) => {
    expect(failure(status, code, false)).toMatchObject({ kind: 'transient', retryable: true });
  });

  it.each([['GW.3004', 502], ['GW.3005', 502], ['GW.3007', 504], ['GW.5000', 500], ['CLIENT.NETWORK', 0]])(
    '%s (%i) may have started the pre-check: retryable only when the request is idempotent',
    (code, status) => {
      expect(failure(status, code, false)).toMatchObject({ kind: 'may-have-started', retryable: false });
      expect(failure(status, code, true)).toMatchObject({ kind: 'may-have-started', retryable: true });
    },
  );

  it.each([['GW.0400', 400], ['GW.0401', 400], ['GW.0422', 422], ['GW.1001', 401], ['GW.1002', 401], ['GW.1004', 403], ['GW.1005', 403], ['GW.3001', 502], ['GW.3003', 502], ['DRS.M00289', 400]])(
    '%s (%i) is final: never retried',
    (code, status) => {
      expect(failure(status, code, true)).toMatchObject({ kind: 'final', retryable: false });
    },
  );

  it('judges an answer that is not the gateway problem format by its status alone', () => {
    expect(classifyFailure(503, 'CLIENT.UNEXPECTED_RESPONSE')).toBe('transient');
    expect(classifyFailure(429, 'CLIENT.UNEXPECTED_RESPONSE')).toBe('transient');
    expect(classifyFailure(502, 'CLIENT.UNEXPECTED_RESPONSE')).toBe('may-have-started');
    expect(classifyFailure(404, 'CLIENT.UNEXPECTED_RESPONSE')).toBe('final');
  });

  it('a non-idempotent request is never retried after a failure that may have started the pre-check, whatever the code', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 599 }), fc.string(), (status, code) => {
        const error = failure(status, code, false);
        expect(error.retryable).toBe(error.kind === 'transient');
      }),
    );
  });

  it('carries the whole problem body', () => {
    const body = { ...problem(400, 'GW.0400'), errors: [{ pointer: '/jobs/0/job_id', message: 'bad' }], upstream: { status: 400, error_code: 'DRS.M00289' } };
    const error = new GatewayClientError({ problem: body, idempotent: false });
    expect(error).toMatchObject({ status: 400, error_code: 'GW.0400', error_msg: 'm', request_id: 'r1', errors: body.errors, upstream: body.upstream, problem: body });
    expect(error.message).toBe('400 GW.0400: m');
  });
});

describe('reading how long to wait', () => {
  it('reads Retry-After in seconds', () => {
    expect(failure(429, 'GW.2001', true, { 'Retry-After': '7' }).retryAfterMs).toBe(7_000);
  });

  it('reads Retry-After as an HTTP date against the clock', () => {
    const now = Date.parse('Wed, 02 Dec 2026 06:00:00 GMT');
    expect(failure(503, 'GW.3006', true, { 'Retry-After': 'Wed, 02 Dec 2026 06:00:12 GMT' }, now).retryAfterMs).toBe(12_000);
  });

  it('falls back to the longest spent entry of a draft-8 RateLimit header', () => {
    expect(failure(429, 'GW.2001', true, { RateLimit: '"ip";r=1100;t=50, "caller";r=0;t=12' }).retryAfterMs).toBe(12_000);
    expect(failure(429, 'GW.2001', true, { RateLimit: '"ip";r=3;t=50' }).retryAfterMs).toBeUndefined();
  });

  it('prefers Retry-After over RateLimit', () => {
    expect(failure(429, 'GW.2001', true, { 'Retry-After': '2', RateLimit: '"caller";r=0;t=12' }).retryAfterMs).toBe(2_000);
  });
});

describe('deciding on a retry', () => {
  it('waits exactly the Retry-After of a retryable failure', () => {
    expect(retryDelayMs(failure(429, 'GW.2001', false, { 'Retry-After': '3' }), 1, policy)).toBe(3_000);
  });

  it('gives up when the gateway asks for a longer wait than the policy allows', () => {
    expect(retryDelayMs(failure(429, 'GW.2002', false, { 'Retry-After': '60' }), 1, policy)).toBeUndefined();
  });

  it('does not retry a final failure, a non-idempotent 504, or anything that is not a GatewayClientError', () => {
    expect(retryDelayMs(failure(400, 'GW.0400', true), 1, policy)).toBeUndefined();
    expect(retryDelayMs(failure(504, 'GW.3007', false), 1, policy)).toBeUndefined();
    expect(retryDelayMs(new TypeError('bug'), 1, policy)).toBeUndefined();
  });

  it('never makes more attempts than the budget, and never waits longer than maxDelayMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (attempts, maxAttempts, retryAfter, random) => {
          const error = failure(503, 'GW.3006', false, retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) });
          const delay = retryDelayMs(error, attempts, { ...policy, maxAttempts, random: () => random });
          if (attempts >= maxAttempts) expect(delay).toBeUndefined();
          else if (delay !== undefined) expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
          if (attempts < maxAttempts && retryAfter !== undefined && retryAfter * 1000 <= policy.maxDelayMs) expect(delay).toBe(retryAfter * 1000);
        },
      ),
    );
  });

  it('backs off exponentially with jitter between half and all of the capped step', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, random) => {
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        const delay = backoffMs(attempt, { ...policy, random: () => random });
        expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });
});

describe('the abortable wait', () => {
  it('rejects with the signal reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error('stop now'));
    await expect(waiting).rejects.toThrow('stop now');
  });

  it('rejects at once on an already aborted signal', async () => {
    await expect(sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('Idempotency-Key generation', () => {
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('uses crypto.randomUUID where it exists', () => {
    expect(newIdempotencyKey()).toMatch(UUID_V4);
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
  });

  it('builds a v4 UUID from getRandomValues on a page without a secure context (no randomUUID)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (random) => {
        const key = newIdempotencyKey({ getRandomValues: (array) => (array.set(random), array) });
        expect(key).toMatch(UUID_V4);
      }),
    );
  });
});
