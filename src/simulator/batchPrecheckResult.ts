// batch-precheck-result proper: each job's progress report, or a per-item error when there is nothing to report.
import type { SimulatorContext } from './context';
import { drsError, type DrsLanguage } from './messages';
import { precheckReport } from './precheckReport';

/**
 * What DRS returns for a job never pre-checked is undocumented. We answer an item carrying DRS.M00002 ("The
 * returned result is empty.") rather than a top-level 400, since clients such as terraform already read a
 * per-item error_code; an unknown job (auto-creation off) gets DRS.M05003 the same way.
 */
const reportOne = (ctx: SimulatorContext, jobId: string, language: DrsLanguage, now: number): string => {
  const job = ctx.jobs.find(jobId);
  const run = job?.precheck;
  if (job !== undefined && run !== undefined) {
    if (run.finalReport !== undefined) return run.finalReport;
    const report = precheckReport(job, run, now, ctx.precheckDurationMs);
    if (report.done) run.finalReport = report.json;
    return report.json;
  }
  const code = job === undefined && !ctx.autoCreateJobs ? 'DRS.M05003' : 'DRS.M00002';
  return JSON.stringify({ precheck_id: jobId, ...drsError(code, language) });
};

export const batchPrecheckResult = (ctx: SimulatorContext, jobIds: readonly string[], language: DrsLanguage): string => {
  const now = ctx.clock.now();
  return `{"results":[${jobIds.map((id) => reportOne(ctx, id, language, now)).join(',')}],"count":${jobIds.length}}`;
};
