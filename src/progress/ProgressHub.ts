// Watches pre-check progress for every open stream of this instance, polling DRS at most once per job per interval.
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/GatewayError';
import type { PrecheckForwarder } from '../upstream/createPrecheckForwarder';
import type { ProgressShare } from './ProgressShare';

export type ProgressItem = Record<string, unknown>;

export type ProgressEvent = { kind: 'item'; jobId: string; item: ProgressItem } | { kind: 'error'; error: GatewayError };

export interface ProgressHubOptions {
  forwarder: Pick<PrecheckForwarder, 'forward'>;
  share: ProgressShare;
  intervalMs: number;
  logger: { warn(obj: object, msg: string): void };
}

interface Watcher {
  projectId: string;
  jobIds: Set<string>;
  listener: (event: ProgressEvent) => void;
}

const MAX_JOBS_PER_CALL = 10;

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export class ProgressHub {
  private readonly watchers = new Set<Watcher>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(private readonly options: ProgressHubOptions) {}

  /** Starts delivering events for these jobs at once (from a fresh poll or the shared latest); returns the stop function. */
  watch(projectId: string, jobIds: readonly string[], listener: (event: ProgressEvent) => void): () => void {
    const watcher: Watcher = { projectId, jobIds: new Set(jobIds), listener };
    this.watchers.add(watcher);
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs).unref();
    void this.poll(projectId, [...jobIds]);
    return () => {
      this.watchers.delete(watcher);
      if (this.watchers.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Jobs no stream watches any more are not polled again. */
  unwatchJob(listener: (event: ProgressEvent) => void, jobId: string): void {
    for (const watcher of this.watchers) if (watcher.listener === listener) watcher.jobIds.delete(jobId);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const byProject = new Map<string, Set<string>>();
      for (const watcher of this.watchers) {
        const jobs = byProject.get(watcher.projectId) ?? new Set<string>();
        for (const jobId of watcher.jobIds) jobs.add(jobId);
        byProject.set(watcher.projectId, jobs);
      }
      await Promise.all([...byProject].map(([projectId, jobs]) => this.poll(projectId, [...jobs])));
    } finally {
      this.ticking = false;
    }
  }

  private async poll(projectId: string, jobIds: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const { share, intervalMs, logger } = this.options;
    try {
      const claims = await share.claim(projectId, jobIds, intervalMs);
      const mine = jobIds.filter((_, i) => claims[i]);
      const others = jobIds.filter((_, i) => !claims[i]);
      await Promise.all(chunks(mine, MAX_JOBS_PER_CALL).map((batch) => this.fetch(projectId, batch)));
      if (others.length === 0) return;
      const latest = await share.read(projectId, others);
      others.forEach((jobId, i) => {
        const json = latest[i];
        if (json) this.deliver(projectId, { kind: 'item', jobId, item: JSON.parse(json) as ProgressItem });
      });
    } catch (error) {
      logger.warn({ projectId, reason: (error as Error).message }, 'progress poll failed');
      this.deliver(projectId, { kind: 'error', error: error instanceof GatewayError ? error : new GatewayError('GW.5000') }, jobIds);
    }
  }

  private async fetch(projectId: string, jobIds: string[]): Promise<void> {
    const result = await this.options.forwarder.forward({
      projectId,
      route: 'batch-precheck-result',
      body: { jobs: jobIds },
      language: 'en-us',
      requestId: `poll-${randomUUID().slice(0, 8)}`,
    });
    const items = result.body.results
      .map((item) => ({ jobId: typeof item.precheck_id === 'string' ? item.precheck_id : '', item }))
      .filter(({ jobId }) => jobIds.includes(jobId));
    // Kept one interval, as long as the poll claim: other instances read it until the next poll replaces it,
    // and a result is never older than one interval.
    await this.options.share.publish(projectId, items.map(({ jobId, item }) => ({ jobId, json: JSON.stringify(item) })), this.options.intervalMs);
    for (const { jobId, item } of items) this.deliver(projectId, { kind: 'item', jobId, item });
  }

  private deliver(projectId: string, event: ProgressEvent, jobIds?: string[]): void {
    for (const watcher of this.watchers) {
      if (watcher.projectId !== projectId) continue;
      if (event.kind === 'item' ? watcher.jobIds.has(event.jobId) : jobIds?.some((id) => watcher.jobIds.has(id))) watcher.listener(event);
    }
  }
}
