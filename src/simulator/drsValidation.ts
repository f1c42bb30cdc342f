// Body checks DRS makes before touching any job (reference §1.1, §1.2, §2.5); failures are 400s with DRS codes.
import { isRecord } from '../isRecord';
import type { PrecheckMode } from './jobStatus';
import { drsError, type DrsErrorBody, type DrsErrorCode, type DrsLanguage } from './messages';

/** The results API demands "the UUID rule", which DRS evidently applies loosely: job IDs end in e.g. "…453jb101". */
export const JOB_ID_PATTERN = /^[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}$/;

/**
 * Documented as the cap for batch-precheck only; whether DRS rejects more, and with which code, is unconfirmed.
 * We reject 11+ on both routes with DRS.M00202, matching the gateway's own limit.
 */
export const MAX_JOBS = 10;

export interface PrecheckRequestItem {
  jobId: string;
  mode: PrecheckMode;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; error: DrsErrorBody };

const invalid = (code: DrsErrorCode, language: DrsLanguage, parameter?: string): { ok: false; error: DrsErrorBody } => ({
  ok: false,
  error: drsError(code, language, parameter),
});

/** Shared prefix of both routes: `jobs` must be a non-empty array of at most MAX_JOBS. */
const readJobs = (body: unknown, language: DrsLanguage): Validated<unknown[]> => {
  const jobs = isRecord(body) ? body.jobs : undefined;
  if (jobs === undefined || jobs === null || (Array.isArray(jobs) && jobs.length === 0)) return invalid('DRS.M00201', language, 'jobs');
  if (!Array.isArray(jobs) || jobs.length > MAX_JOBS) return invalid('DRS.M00202', language, 'jobs');
  return { ok: true, value: jobs };
};

const hasDuplicates = (ids: readonly string[]): boolean => new Set(ids).size !== ids.length;

const readJobId = (value: unknown, language: DrsLanguage, parameter: string): Validated<string> => {
  if (value === undefined || value === null || value === '') return invalid('DRS.M00201', language, parameter);
  if (typeof value !== 'string' || !JOB_ID_PATTERN.test(value)) return invalid('DRS.M00202', language, parameter);
  return { ok: true, value };
};

export const validatePrecheckBody = (body: unknown, language: DrsLanguage): Validated<PrecheckRequestItem[]> => {
  const jobs = readJobs(body, language);
  if (!jobs.ok) return jobs;
  const items: PrecheckRequestItem[] = [];
  for (const job of jobs.value) {
    if (!isRecord(job)) return invalid('DRS.M00202', language, 'jobs');
    const jobId = readJobId(job.job_id, language, 'job_id');
    if (!jobId.ok) return jobId;
    if (job.precheck_mode === undefined || job.precheck_mode === null || job.precheck_mode === '') {
      return invalid('DRS.M00201', language, 'precheck_mode');
    }
    if (job.precheck_mode !== 'forStartJob' && job.precheck_mode !== 'forRetryJob') return invalid('DRS.M00202', language, 'precheck_mode');
    items.push({ jobId: jobId.value, mode: job.precheck_mode });
  }
  if (hasDuplicates(items.map((item) => item.jobId))) return invalid('DRS.M00301', language, 'job_id');
  return { ok: true, value: items };
};

export const validateResultBody = (body: unknown, language: DrsLanguage): Validated<string[]> => {
  const jobs = readJobs(body, language);
  if (!jobs.ok) return jobs;
  const ids: string[] = [];
  for (const job of jobs.value) {
    const jobId = readJobId(job, language, 'jobs');
    if (!jobId.ok) return jobId;
    ids.push(jobId.value);
  }
  if (hasDuplicates(ids)) return invalid('DRS.M00301', language, 'jobs');
  return { ok: true, value: ids };
};
