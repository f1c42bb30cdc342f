// In-process IAM token cache: one fetch per project at a time, early refresh, and the old token kept while IAM is down.
import type { Clock } from '../clock';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import type { RequestTrail } from '../telemetry/RequestTrail';
import type { IamToken, IamTokenFetcher } from './IamToken';
import { isUsable, refreshAt } from './refreshPolicy';

export interface TokenCacheLogger {
  warn(obj: object, msg: string): void;
}

export interface IamTokenCacheOptions {
  fetcher: IamTokenFetcher;
  clock: Clock;
  refreshMarginMs: number;
  logger: TokenCacheLogger;
  metrics?: Pick<MetricsHooks, 'tokenCacheHit' | 'iamRefreshFailure'>;
  /** The region whose IAM this cache asks, for the metrics' labels. */
  region?: string;
  /** The shared level, told when DRS refused a token so other instances stop using it too. */
  shared?: { drop(projectId: string, value?: string): Promise<void>; dropAll(): Promise<number> };
  /** After a failed background refresh, wait this long before trying again, so IAM is not hammered. */
  refreshRetryMs?: number;
}

interface Entry {
  token?: IamToken;
  inflight?: Promise<IamToken>;
  retryAfter?: number;
  /** When DRS last refused this project's token: the next one must be obtained after it. */
  refusedAt?: number;
}

export class IamTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshRetryMs: number;

  constructor(private readonly options: IamTokenCacheOptions) {
    this.refreshRetryMs = options.refreshRetryMs ?? 5_000;
  }

  /** A token for the project, fetching (once, however many callers wait) only when none is usable; `trail` learns where it came from. */
  async get(projectId: string, trail?: Pick<RequestTrail, 'tokenSource' | 'trace'>): Promise<IamToken> {
    const entry = this.entry(projectId);
    const now = this.options.clock.now();
    const token = entry.token;
    if (token && isUsable(token, now)) {
      this.options.metrics?.tokenCacheHit('memory');
      if (trail) trail.tokenSource = 'memory';
      if (now >= refreshAt(token, this.options.refreshMarginMs) && !entry.inflight && (entry.retryAfter ?? 0) <= now) {
        this.refresh(projectId, entry, trail).catch((error: unknown) => {
          this.options.metrics?.iamRefreshFailure(this.options.region ?? 'default');
          this.options.logger.warn({ projectId, code: (error as { code?: string }).code }, 'background IAM token refresh failed; still using the cached token');
        });
      }
      return token;
    }
    const fetched = await (entry.inflight ?? this.refresh(projectId, entry, trail));
    if (trail) trail.tokenSource = fetched.sharedCopy ? 'redis' : 'iam';
    return fetched;
  }

  /** Drops the token only if it is still the cached one, so a fresher token fetched meanwhile survives. */
  invalidate(projectId: string, value?: string): void {
    const entry = this.entries.get(projectId);
    if (entry?.token && (value === undefined || entry.token.value === value)) {
      entry.token = undefined;
      entry.refusedAt = this.options.clock.now();
    }
    this.options.shared?.drop(projectId, value).catch((error: unknown) => {
      this.options.logger.warn({ projectId, reason: (error as Error).message }, 'could not drop the shared IAM token');
    });
  }

  /** Drops this instance's tokens and the shared ones; resolves with how many were dropped at each level. */
  async invalidateAll(): Promise<{ memory: number; shared: number }> {
    let memory = 0;
    for (const entry of this.entries.values()) {
      if (entry.token) memory += 1;
      entry.token = undefined;
    }
    return { memory, shared: this.options.shared ? await this.options.shared.dropAll() : 0 };
  }

  private entry(projectId: string): Entry {
    let entry = this.entries.get(projectId);
    if (!entry) {
      entry = {};
      this.entries.set(projectId, entry);
    }
    return entry;
  }

  /** `parent`: the request that started the fetch (a waiter joining it later is not its parent). */
  private refresh(projectId: string, entry: Entry, parent: Pick<RequestTrail, 'trace'> | undefined): Promise<IamToken> {
    const inflight = this.options.fetcher.fetchToken(projectId, parent, entry.refusedAt === undefined ? undefined : { obtainedAfter: entry.refusedAt }).then(
      (token) => {
        entry.token = token;
        entry.inflight = undefined;
        entry.retryAfter = undefined;
        entry.refusedAt = undefined;
        return token;
      },
      (error: unknown) => {
        entry.inflight = undefined;
        entry.retryAfter = this.options.clock.now() + this.refreshRetryMs;
        // Projects that never got a token leave nothing behind, so failed look-ups cannot grow the map.
        if (!entry.token) this.entries.delete(projectId);
        throw error;
      },
    );
    entry.inflight = inflight;
    return inflight;
  }
}
