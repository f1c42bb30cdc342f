import fc from 'fast-check';
import { GatewayError } from '../../src/errors/GatewayError';
import { batchPrecheckBodySchema, batchPrecheckResultBodySchema } from '../../src/drs/drsRouteTable';
import { JOB_ID_PATTERN } from '../../src/validation/schemas';
import { toPointer, validateBody } from '../../src/validation/validate';

const JOB = '140b5236-88ad-43c8-811c-1268453jb101';
const job = (id = JOB, mode = 'forStartJob') => ({ job_id: id, precheck_mode: mode });
const jobId = (n: number) => `${String(n).padStart(8, '0')}-88ad-43c8-811c-1268453jb101`;

const problems = (schema: typeof batchPrecheckBodySchema | typeof batchPrecheckResultBodySchema, body: unknown) => {
  try {
    validateBody(schema as never, body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('GW.0400');
    return (error as GatewayError).options.errors;
  }
  throw new Error('expected a validation failure');
};

describe('pre-check body validation', () => {
  it('accepts DRS job IDs whose last group is not hex, and both pre-check modes', () => {
    expect(validateBody(batchPrecheckBodySchema, { jobs: [job(), job(jobId(1), 'forRetryJob')] }).jobs).toHaveLength(2);
    expect(validateBody(batchPrecheckResultBodySchema, { jobs: [JOB] })).toEqual({ jobs: [JOB] });
  });

  it('points at each problem in the body, all at once', () => {
    expect(problems(batchPrecheckBodySchema, { jobs: [job('nope'), job(JOB, 'forEver')] })).toEqual([
      { pointer: '/jobs/0/job_id', message: expect.stringContaining('DRS job ID') },
      { pointer: '/jobs/1/precheck_mode', message: 'must be forStartJob or forRetryJob' },
    ]);
  });

  it('requires 1 to 10 jobs', () => {
    expect(problems(batchPrecheckBodySchema, { jobs: [] })).toEqual([{ pointer: '/jobs', message: 'must hold at least 1 job' }]);
    const eleven = Array.from({ length: 11 }, (_, i) => job(jobId(i)));
    expect(problems(batchPrecheckBodySchema, { jobs: eleven })).toEqual([{ pointer: '/jobs', message: 'must hold at most 10 jobs' }]);
    expect(problems(batchPrecheckResultBodySchema, { jobs: eleven.map((j) => j.job_id) })).toEqual([{ pointer: '/jobs', message: 'must hold at most 10 jobs' }]);
  });

  it('rejects duplicate job IDs even when other items are invalid', () => {
    expect(problems(batchPrecheckBodySchema, { jobs: [job(), job(), job(jobId(2), 'x')] })).toEqual(
      expect.arrayContaining([
        { pointer: '/jobs/1', message: 'duplicates an earlier job ID' },
        { pointer: '/jobs/2/precheck_mode', message: 'must be forStartJob or forRetryJob' },
      ]),
    );
    expect(problems(batchPrecheckResultBodySchema, { jobs: [JOB, JOB] })).toEqual([{ pointer: '/jobs/1', message: 'duplicates an earlier job ID' }]);
  });

  it('rejects properties beyond those named, at every level, including __proto__ and constructor', () => {
    const body = JSON.parse(`{"jobs":[{"job_id":"${JOB}","precheck_mode":"forStartJob","__proto__":{"polluted":1}}],"constructor":{"prototype":{"polluted":1}},"extra":1}`);
    expect(problems(batchPrecheckBodySchema, body)).toEqual(
      expect.arrayContaining([
        { pointer: '/jobs/0/__proto__', message: 'is not an allowed property' },
        { pointer: '/constructor', message: 'is not an allowed property' },
        { pointer: '/extra', message: 'is not an allowed property' },
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says what shape was expected for non-object bodies', () => {
    for (const body of [null, 1, 'jobs', [], true]) {
      expect(problems(batchPrecheckBodySchema, body)).toEqual([{ pointer: '', message: 'must be an object with a jobs array' }]);
    }
    expect(problems(batchPrecheckResultBodySchema, { jobs: [1] })).toEqual([{ pointer: '/jobs/0', message: 'must be a string' }]);
  });

  it('escapes JSON pointer tokens', () => {
    expect(toPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0');
  });

  it('never throws anything but GW.0400 for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateBody(batchPrecheckBodySchema, value);
        } catch (error) {
          return error instanceof GatewayError && error.code === 'GW.0400' && (error.options.errors?.length ?? 0) > 0;
        }
        return true;
      }),
    );
  });

  it('matches exactly the contract job ID shape', () => {
    fc.assert(
      fc.property(fc.stringMatching(JOB_ID_PATTERN), (id) => validateBody(batchPrecheckResultBodySchema, { jobs: [id] }).jobs[0] === id),
      { numRuns: 50 },
    );
  });
});
