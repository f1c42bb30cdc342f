// Watches pre-check progress for every open stream of this instance, polling DRS at most once per job per interval.
import { randomUUID } from 'node:crypto';
import { DelegateBackoff, ExponentialBackoff, handleWhen, noJitterGenerator, retry, type IBackoff, type IRetryBackoffContext, type RetryPolicy } from 'cockatiel';
import { asGatewayError, GatewayError } from '../errors/GatewayError';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import type { ForwardResult, PrecheckForwarder } from '../upstream/createPrecheckForwarder';
import { decodeRecord, encodeRecord, isReadableItem, type PollRecord, type ProgressItem } from './pollRecord';
import type { ProgressShare } from './ProgressShare';

export type { ProgressItem } from './pollRecord';

export type ProgressEvent =
  | { kind: 'item'; jobId: string; item: ProgressItem }
  /** DRS gave nothing readable for the job on MAX_UNREADABLE_POLLS polls in a row: its watch is over. */
  | { kind: 'unreadable'; jobId: string }
  | { kind: 'error'; error: GatewayError };

/**
 * Polls in a row without a readable item for a job (left out of DRS's answer, or an item the gateway cannot read)
 * after which the job ends with GW.3004 instead of being watched forever. More than one, so a single odd answer
 * does not end a live view.
 */
export const MAX_UNREADABLE_POLLS = 3;

/** Retries of a poll that failed in a way that may pass; spaced one, two, then four intervals apart, or DRS's Retry-After if longer. */
export const POLL_RETRIES = 3;

type RetryContext = IRetryBackoffContext<unknown>;

/** Only a throttle's Retry-After is DRS's own word; the gateway's other Retry-After values are advice to callers. */
const retryAfterMs = (context: RetryContext): number => {
  const error = 'error' in context.result ? context.result.error : undefined;
  return error instanceof GatewayError && error.code === 'GW.3008' ? (error.options.retryAfterSeconds ?? 0) * 1000 : 0;
};

/** Failures that may pass: IAM or DRS unavailable, a DRS 5xx, timeout or throttle, a 2xx body that was not valid. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['GW.3002', 'GW.3005', 'GW.3006', 'GW.3007', 'GW.3008']);

/** A 4xx answer (credentials, permission, DRS's own refusal) will not change by asking again. */
export const isTransientPollFailure = (error: unknown): boolean => {
  if (!(error instanceof GatewayError)) return false;
  if (TRANSIENT_CODES.has(error.code)) return true;
  const upstreamStatus = error.options.upstream?.status;
  return error.code === 'GW.3004' && (upstreamStatus === undefined || upstreamStatus < 300);
};

export interface ProgressHubOptions {
  forwarder: Pick<PrecheckForwarder, 'forward'>;
  share: ProgressShare;
  intervalMs: number;
  logger: { warn(obj: object, msg: string): void };
  metrics: Pick<MetricsHooks, 'progressPoll'>;
}

interface Watcher {
  projectId: string;
  jobIds: Set<string>;
  listener: (event: ProgressEvent) => void;
}

interface JobState {
  /** Unreadable answers in a row, and the poll that gave the last one (each poll counts once). */
  misses: number;
  lastMissPoll?: string;
  /** A poll of this job (first attempt or a retry) is under way: ticks leave it alone. */
  inFlight: boolean;
}

const MAX_JOBS_PER_CALL = 10;

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const jobKey = (projectId: string, jobId: string): string => `${projectId}\u0000${jobId}`;

export class ProgressHub {
  private readonly watchers = new Set<Watcher>();
  private readonly jobs = new Map<string, JobState>();
  private readonly retryPolicy: RetryPolicy;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(private readonly options: ProgressHubOptions) {
    // Retries start one interval later, when this poll's claim has lapsed, so a retry claims the job like any poll;
    // a throttled poll waits at least as long as DRS asked.
    const exponential = new ExponentialBackoff({ initialDelay: options.intervalMs, maxDelay: 4 * options.intervalMs, generator: noJitterGenerator });
    this.retryPolicy = retry(handleWhen(isTransientPollFailure), {
      maxAttempts: POLL_RETRIES,
      backoff: new DelegateBackoff<RetryContext, IBackoff<RetryContext>>((context, previous) => {
        const step = previous ? previous.next(context) : exponential.next();
        return { delay: Math.max(step.duration, retryAfterMs(context)), state: step };
      }),
    }).dangerouslyUnref();
  }

  /** Starts delivering events for these jobs at once (from a fresh poll or the shared latest); returns the stop function. */
  watch(projectId: string, jobIds: readonly string[], listener: (event: ProgressEvent) => void): () => void {
    const watcher: Watcher = { projectId, jobIds: new Set(jobIds), listener };
    this.watchers.add(watcher);
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs).unref();
    void this.poll(projectId, [...jobIds], watcher);
    return () => {
      this.watchers.delete(watcher);
      if (this.watchers.size > 0) return;
      clearInterval(this.timer);
      this.timer = undefined;
      // No tick runs while nobody watches, so the jobs' counts are forgotten here instead.
      for (const [key, state] of this.jobs) if (!state.inFlight) this.jobs.delete(key);
    };
  }

  /** Jobs no stream watches any more are not polled again. */
  unwatchJob(listener: (event: ProgressEvent) => void, jobId: string): void {
    for (const watcher of this.watchers) if (watcher.listener === listener) watcher.jobIds.delete(jobId);
  }

  private isWatched(projectId: string, jobId: string): boolean {
    for (const watcher of this.watchers) if (watcher.projectId === projectId && watcher.jobIds.has(jobId)) return true;
    return false;
  }

  private stateOf(projectId: string, jobId: string): JobState {
    const key = jobKey(projectId, jobId);
    let state = this.jobs.get(key);
    if (!state) {
      state = { misses: 0, inFlight: false };
      this.jobs.set(key, state);
    }
    return state;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const byProject = new Map<string, Set<string>>();
      const watched = new Set<string>();
      for (const watcher of this.watchers) {
        const jobs = byProject.get(watcher.projectId) ?? new Set<string>();
        for (const jobId of watcher.jobIds) {
          jobs.add(jobId);
          watched.add(jobKey(watcher.projectId, jobId));
        }
        byProject.set(watcher.projectId, jobs);
      }
      for (const [key, state] of this.jobs) if (!watched.has(key) && !state.inFlight) this.jobs.delete(key);
      await Promise.all([...byProject].map(([projectId, jobs]) => this.poll(projectId, [...jobs])));
    } finally {
      this.ticking = false;
    }
  }

  /** With `target`, a stream just opened: what others already polled goes to it alone. */
  private async poll(projectId: string, jobIds: string[], target?: Watcher): Promise<void> {
    const idle = jobIds.filter((jobId) => !this.stateOf(projectId, jobId).inFlight);
    if (idle.length === 0) return;
    const { share, intervalMs, logger } = this.options;
    try {
      const claims = await share.claim(projectId, idle, intervalMs);
      const mine = idle.filter((_, i) => claims[i]);
      const others = idle.filter((_, i) => !claims[i]);
      // Not awaited: a batch in retry must not hold up the next tick of every other job.
      for (const batch of chunks(mine, MAX_JOBS_PER_CALL)) void this.pollBatch(projectId, batch);
      if (others.length === 0) return;
      const latest = await share.read(projectId, others);
      others.forEach((jobId, i) => {
        const text = latest[i];
        const record = text ? decodeRecord(text) : undefined;
        if (record) this.receive(projectId, jobId, record, target);
      });
    } catch (error) {
      // The shares fall back to memory by themselves; reaching here is a fault of this instance, reported to this poll's streams.
      logger.warn({ projectId, reason: (error as Error).message }, 'progress poll failed');
      this.deliverError(projectId, idle, new GatewayError('GW.5000'));
    }
  }

  /** One DRS call for up to 10 jobs, retried while the failure may pass; only this batch's streams hear of a failure. */
  private async pollBatch(projectId: string, batch: string[]): Promise<void> {
    let current = batch;
    for (const jobId of current) this.stateOf(projectId, jobId).inFlight = true;
    const release = (jobIds: readonly string[]) => {
      for (const jobId of jobIds) this.stateOf(projectId, jobId).inFlight = false;
    };
    try {
      await this.retryPolicy.execute(async ({ attempt }) => {
        if (attempt > 0) current = await this.reclaim(projectId, current, release);
        if (current.length > 0) await this.fetch(projectId, current);
      });
    } catch (error) {
      this.options.logger.warn({ projectId, jobs: current.length, code: error instanceof GatewayError ? error.publicCode : undefined }, 'progress poll gave up');
      const failure = asGatewayError(error);
      const poll = randomUUID();
      await this.options.share
        .publish(projectId, current.map((jobId) => ({ jobId, json: encodeRecord({ poll, error: failure }) })), this.options.intervalMs)
        .catch(() => undefined);
      this.deliverError(projectId, current, failure);
    } finally {
      release(current);
    }
  }

  /** Before a retry: jobs nobody watches any more, or that another instance claimed meanwhile, leave the batch. */
  private async reclaim(projectId: string, jobIds: string[], release: (jobIds: readonly string[]) => void): Promise<string[]> {
    const watched = jobIds.filter((jobId) => this.isWatched(projectId, jobId));
    const claims = watched.length === 0 ? [] : await this.options.share.claim(projectId, watched, this.options.intervalMs);
    const kept = watched.filter((_, i) => claims[i]);
    release(jobIds.filter((jobId) => !kept.includes(jobId)));
    return kept;
  }

  private async fetch(projectId: string, jobIds: string[]): Promise<void> {
    let result: ForwardResult;
    try {
      result = await this.options.forwarder.forward({
        projectId,
        route: 'batch-precheck-result',
        operation: 'progress-poll',
        body: { jobs: jobIds },
        language: 'en-us',
        requestId: `poll-${randomUUID().slice(0, 8)}`,
      });
    } catch (error) {
      this.options.metrics.progressPoll('error');
      throw error;
    }
    this.options.metrics.progressPoll('ok');
    const poll = randomUUID();
    const records = jobIds.map((jobId): { jobId: string; record: PollRecord } => {
      const item = result.body.results.find((candidate) => candidate.precheck_id === jobId);
      return { jobId, record: isReadableItem(item, jobId) ? { poll, item } : { poll, unreadable: true } };
    });
    // Kept one interval, as long as the poll claim: other instances read it until the next poll replaces it,
    // and a result is never older than one interval.
    await this.options.share.publish(projectId, records.map(({ jobId, record }) => ({ jobId, json: encodeRecord(record) })), this.options.intervalMs);
    for (const { jobId, record } of records) this.receive(projectId, jobId, record);
  }

  private receive(projectId: string, jobId: string, record: PollRecord, target?: Watcher): void {
    if ('error' in record) {
      this.deliverError(projectId, [jobId], record.error, target);
      return;
    }
    const state = this.stateOf(projectId, jobId);
    if ('item' in record) {
      state.misses = 0;
      this.deliver(projectId, jobId, { kind: 'item', jobId, item: record.item }, target);
      return;
    }
    if (state.lastMissPoll === record.poll) return;
    state.lastMissPoll = record.poll;
    state.misses += 1;
    if (state.misses < MAX_UNREADABLE_POLLS) return;
    state.misses = 0;
    this.deliver(projectId, jobId, { kind: 'unreadable', jobId });
  }

  private deliver(projectId: string, jobId: string, event: ProgressEvent, target?: Watcher): void {
    for (const watcher of target ? [target] : this.watchers) {
      if (watcher.projectId === projectId && watcher.jobIds.has(jobId)) watcher.listener(event);
    }
  }

  private deliverError(projectId: string, jobIds: readonly string[], error: GatewayError, target?: Watcher): void {
    const event: ProgressEvent = { kind: 'error', error };
    for (const watcher of target ? [target] : [...this.watchers]) {
      if (watcher.projectId === projectId && jobIds.some((jobId) => watcher.jobIds.has(jobId))) watcher.listener(event);
    }
  }
}
