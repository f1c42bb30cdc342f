// The simulated DRS jobs of one instance: seeded, set by tests, or created on first sight when autoCreateJobs is on.
import type { JobStatus, PrecheckMode } from './jobStatus';

export type PrecheckOutcome = 'pass' | 'alarm' | 'fail';

export interface SimulatedJob {
  id: string;
  status: JobStatus;
  /** How its pre-check ends; default 'pass'. */
  outcome?: PrecheckOutcome;
}

export interface PrecheckStart {
  mode: PrecheckMode;
  startedAt: number;
}

export interface PrecheckRun extends PrecheckStart {
  /** The finished report, kept because it can no longer change. */
  finalReport?: string;
}

export interface JobView {
  id: string;
  status: JobStatus;
  outcome: PrecheckOutcome;
  /** The latest pre-check started for this job, if any. */
  precheck?: PrecheckStart;
}

/** One pre-check DRS started: what a checker counts to prove a start happened once. */
export interface StartRecord {
  job_id: string;
  mode: PrecheckMode;
  /** The simulator clock's time of the start, in ms. */
  at: number;
}

/** Starts kept for GET /__sim/starts; the oldest go first past it, so a long run cannot grow without bound. */
export const START_HISTORY_LIMIT = 200_000;

export interface JobState extends JobView {
  precheck?: PrecheckRun;
}

/** The tests' view of the jobs. */
export interface Jobs {
  /** Adds or replaces a job; replacing forgets any pre-check it had. */
  set(job: SimulatedJob): void;
  /** A copy: changing it changes nothing in the simulator. */
  get(id: string): JobView | undefined;
  /** Every pre-check started, oldest first (at most START_HISTORY_LIMIT). */
  starts(): StartRecord[];
}

export interface JobStore extends Jobs {
  /** The live record, without auto-creation (a results query does not create jobs). */
  find(id: string): JobState | undefined;
  /** The job a batch-precheck addresses: an unknown ID becomes a CONFIGURATION job when auto-creation is on. */
  resolve(id: string): JobState | undefined;
  startPrecheck(job: JobState, mode: PrecheckMode, now: number): void;
}

export const createJobStore = (seed: readonly SimulatedJob[], autoCreate: boolean): JobStore => {
  const jobs = new Map<string, JobState>();
  const starts: StartRecord[] = [];
  const set = (job: SimulatedJob): void => {
    jobs.set(job.id, { id: job.id, status: job.status, outcome: job.outcome ?? 'pass' });
  };
  seed.forEach(set);

  return {
    set,
    get: (id) => {
      const job = jobs.get(id);
      if (job === undefined) return undefined;
      const { precheck, ...rest } = job;
      return precheck === undefined ? { ...rest } : { ...rest, precheck: { mode: precheck.mode, startedAt: precheck.startedAt } };
    },
    find: (id) => jobs.get(id),
    resolve: (id) => {
      const known = jobs.get(id);
      if (known !== undefined || !autoCreate) return known;
      const created: JobState = { id, status: 'CONFIGURATION', outcome: 'pass' };
      jobs.set(id, created);
      return created;
    },
    starts: () => [...starts],
    startPrecheck: (job, mode, now) => {
      job.precheck = { mode, startedAt: now };
      starts.push({ job_id: job.id, mode, at: now });
      if (starts.length > START_HISTORY_LIMIT) starts.shift();
    },
  };
};
