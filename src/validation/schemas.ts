// The pieces of the gateway's request shapes: zod schemas that yield the TypeScript types (and feed OpenAPI); src/drs/drsRouteTable.ts builds each DRS route's body from them.
import { z } from 'zod';

export const PROJECT_ID_PATTERN = /^[A-Za-z0-9]{32,64}$/;
export const JOB_ID_PATTERN = /^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$/;
export const MAX_JOBS = 10;
export const LANGUAGES = ['en-us', 'zh-cn'] as const;
export const PRECHECK_MODES = ['forStartJob', 'forRetryJob'] as const;

const jobId = z.string({ error: 'must be a string' }).regex(JOB_ID_PATTERN, 'must be a DRS job ID (8-4-4-4-12 letters and digits)');

// The duplicate check also runs when items are invalid, so one response names every problem.
export const jobsArray = <T extends z.ZodType>(item: T, idOf: (value: unknown) => unknown) =>
  z
    .array(item, { error: 'must be an array' })
    .min(1, 'must hold at least 1 job')
    .max(MAX_JOBS, `must hold at most ${MAX_JOBS} jobs`)
    .superRefine((jobs, ctx) => {
      const seen = new Set<unknown>();
      jobs.forEach((job, index) => {
        const id = idOf(job);
        if (typeof id !== 'string') return;
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [index], message: 'duplicates an earlier job ID' });
        seen.add(id);
      });
    }, { when: (payload) => Array.isArray(payload.value) });

export const precheckJobSchema = z.strictObject(
  {
    job_id: jobId,
    precheck_mode: z.enum(PRECHECK_MODES, { error: 'must be forStartJob or forRetryJob' }),
  },
  { error: 'must be an object with job_id and precheck_mode' },
);

/** `jobs` of a results query (and of a progress stream): 1 to 10 distinct job IDs. */
export const jobIdList = jobsArray(jobId, (id) => id);

export const projectIdSchema = z.string().regex(PROJECT_ID_PATTERN, 'must be 32 to 64 letters and digits');
/** X-Request-Id values the gateway echoes and forwards, and Idempotency-Key values: safe in headers, keys and logs. */
export const SAFE_TOKEN_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

export const idempotencyKeySchema = z.string().regex(SAFE_TOKEN_PATTERN, 'must be 1 to 128 letters, digits, dots, underscores or hyphens');
export const languageSchema = z.enum(LANGUAGES, { error: 'must be en-us or zh-cn' });

export type Language = z.infer<typeof languageSchema>;

export const invalidateTokensBodySchema = z.strictObject(
  { project_id: projectIdSchema.optional() },
  { error: 'must be an object, optionally with project_id' },
);

export type InvalidateTokensBody = z.infer<typeof invalidateTokensBodySchema>;

/** POST /admin/config/reload's query: `dry_run` alone, spelt exactly, so a misspelt dry run is refused rather than run as a reload. */
export const reloadQuerySchema = z.strictObject(
  { dry_run: z.enum(['true', 'false'], { error: 'must be true or false' }).optional() },
  { error: 'the only query parameter is dry_run (true or false)' },
);

/** `?jobs=<id>,<id>`: the same 1 to 10 distinct job IDs as the results route. */
export const progressJobsQuerySchema = z
  .string({ error: 'must be one comma-separated list of job IDs' })
  .transform((value) => value.split(',').map((id) => id.trim()))
  .pipe(jobIdList);
