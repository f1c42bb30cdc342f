// Where pollers coordinate: who polls a job this interval, and the latest result for everyone else to read.
import type { Clock } from '../clock';
import type { RedisClient } from '../redis/RedisClient';

export interface ProgressShare {
  /** True for exactly one claimant per job per interval, across every instance sharing the store. */
  claim(projectId: string, jobIds: readonly string[], intervalMs: number): Promise<boolean[]>;
  publish(projectId: string, items: ReadonlyArray<{ jobId: string; json: string }>, ttlMs: number): Promise<void>;
  /** The latest published item per job (JSON text), or null. */
  read(projectId: string, jobIds: readonly string[]): Promise<Array<string | null>>;
}

/** The project in a hash tag: a project's claims and results share a Cluster slot, so each step is one command batch. */
const pollKey = (projectId: string, jobId: string) => `gw:poll:{${projectId}}:${jobId}`;
const resultKey = (projectId: string, jobId: string) => `gw:progress:{${projectId}}:${jobId}`;

export class RedisProgressShare implements ProgressShare {
  constructor(private readonly client: RedisClient) {}

  async claim(projectId: string, jobIds: readonly string[], intervalMs: number): Promise<boolean[]> {
    const answers = await Promise.all(jobIds.map((jobId) => this.client.set(pollKey(projectId, jobId), '1', 'PX', intervalMs, 'NX')));
    return answers.map((answer) => answer === 'OK');
  }

  async publish(projectId: string, items: ReadonlyArray<{ jobId: string; json: string }>, ttlMs: number): Promise<void> {
    await Promise.all(items.map(({ jobId, json }) => this.client.set(resultKey(projectId, jobId), json, 'PX', ttlMs)));
  }

  async read(projectId: string, jobIds: readonly string[]): Promise<Array<string | null>> {
    return this.client.mget(...jobIds.map((jobId) => resultKey(projectId, jobId)));
  }
}

const MAX_TRACKED_JOBS = 10_000;

export class MemoryProgressShare implements ProgressShare {
  private readonly polledAt = new Map<string, number>();
  private readonly latest = new Map<string, { json: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async claim(projectId: string, jobIds: readonly string[], intervalMs: number): Promise<boolean[]> {
    const now = this.clock.now();
    if (this.polledAt.size > MAX_TRACKED_JOBS) this.prune(now, intervalMs);
    return jobIds.map((jobId) => {
      const key = pollKey(projectId, jobId);
      if (now - (this.polledAt.get(key) ?? -Infinity) < intervalMs) return false;
      this.polledAt.set(key, now);
      return true;
    });
  }

  async publish(projectId: string, items: ReadonlyArray<{ jobId: string; json: string }>, ttlMs: number): Promise<void> {
    const expiresAt = this.clock.now() + ttlMs;
    for (const { jobId, json } of items) this.latest.set(resultKey(projectId, jobId), { json, expiresAt });
  }

  /** Jobs nobody has polled for an interval no longer need remembering. */
  private prune(now: number, intervalMs: number): void {
    for (const [key, at] of this.polledAt) if (now - at >= intervalMs) this.polledAt.delete(key);
    for (const [key, entry] of this.latest) if (entry.expiresAt <= now) this.latest.delete(key);
  }

  async read(projectId: string, jobIds: readonly string[]): Promise<Array<string | null>> {
    const now = this.clock.now();
    return jobIds.map((jobId) => {
      const entry = this.latest.get(resultKey(projectId, jobId));
      return entry && entry.expiresAt > now ? entry.json : null;
    });
  }
}

/** Redis first; while it is down each instance coordinates its own streams only, and DRS sees one poll per instance. */
export class FailoverProgressShare implements ProgressShare {
  constructor(
    private readonly shared: ProgressShare,
    private readonly local: ProgressShare,
    private readonly onError: (error: unknown) => void,
  ) {}

  claim(projectId: string, jobIds: readonly string[], intervalMs: number): Promise<boolean[]> {
    return this.shared.claim(projectId, jobIds, intervalMs).catch((error: unknown) => {
      this.onError(error);
      return this.local.claim(projectId, jobIds, intervalMs);
    });
  }

  async publish(projectId: string, items: ReadonlyArray<{ jobId: string; json: string }>, ttlMs: number): Promise<void> {
    await this.local.publish(projectId, items, ttlMs);
    await this.shared.publish(projectId, items, ttlMs).catch(this.onError);
  }

  read(projectId: string, jobIds: readonly string[]): Promise<Array<string | null>> {
    return this.shared.read(projectId, jobIds).catch((error: unknown) => {
      this.onError(error);
      return this.local.read(projectId, jobIds);
    });
  }
}
