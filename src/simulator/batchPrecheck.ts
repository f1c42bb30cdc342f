// batch-precheck proper: starts a pre-check for every job whose status admits the mode; others fail per item.
import type { SimulatorContext } from './context';
import type { PrecheckRequestItem } from './drsValidation';
import { admitsPrecheck, isReleased } from './jobStatus';
import { drsError, type DrsLanguage } from './messages';

/**
 * Failures are per item inside a 200, as DRS's sibling batch APIs do (the per-item shape for this API is inferred).
 * Pre-checking a job again restarts its pre-check; DRS's behaviour there is undocumented.
 */
const precheckOne = (ctx: SimulatorContext, { jobId, mode }: PrecheckRequestItem, language: DrsLanguage, now: number): object => {
  const job = ctx.jobs.resolve(jobId);
  const failed = (code: 'DRS.M05003' | 'DRS.M05004' | 'DRS.M00304'): object => ({ id: jobId, status: 'failed', ...drsError(code, language) });
  if (job === undefined) return failed('DRS.M05003');
  if (isReleased(job.status)) return failed('DRS.M05004');
  if (!admitsPrecheck(job.status, mode)) return failed('DRS.M00304');
  ctx.jobs.startPrecheck(job, mode, now);
  return { id: jobId, status: 'success', precheck_id: jobId };
};

export const batchPrecheck = (ctx: SimulatorContext, items: readonly PrecheckRequestItem[], language: DrsLanguage): string => {
  const now = ctx.clock.now();
  const results = items.map((item) => precheckOne(ctx, item, language, now));
  return JSON.stringify({ results, count: results.length });
};
