// A project's budget of pre-check jobs per window: a request costs its number of jobs, all or nothing.
import type { Clock } from '../clock';
import { GatewayError } from '../errors/GatewayError';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';
import { needingStore, type StoreFailover } from '../failover/StoreFailover';

export interface BudgetVerdict {
  allowed: boolean;
  /** Milliseconds until the project's window ends. */
  resetInMs: number;
}

/** What the project has spent in its current window. */
export interface BudgetSpent {
  jobs: number;
  resetInMs: number;
}

export interface JobBudgetStore {
  /** Charges `jobs` against the project unless that would pass `budget`; never charges part of a request. */
  charge(projectId: string, jobs: number, budget: number, windowMs: number): Promise<BudgetVerdict>;
  /** Undefined when the project has no open window (nothing spent since the last one ended). */
  spent(projectId: string): Promise<BudgetSpent | undefined>;
  /** Ends the project's window: its next request opens a new one with the whole budget. */
  reset(projectId: string): Promise<void>;
}

/** Reads, compares and charges in one step, so concurrent requests on any instance cannot overspend. */
const CHARGE = new LuaScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = tonumber(ARGV[3]) end
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, ttl} end
redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, ttl}
`);

const SPENT = new LuaScript(`
local used = redis.call('GET', KEYS[1])
if not used then return nil end
return {tonumber(used), redis.call('PTTL', KEYS[1])}
`);

const budgetKey = (projectId: string): string => `gw:budget:${projectId}`;

export class RedisJobBudgetStore implements JobBudgetStore {
  constructor(private readonly client: RedisClient) {}

  async charge(projectId: string, jobs: number, budget: number, windowMs: number): Promise<BudgetVerdict> {
    const [allowed, ttl] = (await CHARGE.run(this.client, [budgetKey(projectId)], [jobs, budget, windowMs])) as [number, number];
    return { allowed: allowed === 1, resetInMs: ttl };
  }

  async spent(projectId: string): Promise<BudgetSpent | undefined> {
    const window = (await SPENT.run(this.client, [budgetKey(projectId)], [])) as [number, number] | null;
    return window === null ? undefined : { jobs: window[0], resetInMs: window[1] };
  }

  async reset(projectId: string): Promise<void> {
    await this.client.del(budgetKey(projectId));
  }
}

export class MemoryJobBudgetStore implements JobBudgetStore {
  private readonly windows = new Map<string, { used: number; resetAt: number }>();

  constructor(private readonly clock: Clock) {}

  async charge(projectId: string, jobs: number, budget: number, windowMs: number): Promise<BudgetVerdict> {
    const now = this.clock.now();
    let window = this.windows.get(projectId);
    if (!window || window.resetAt <= now) {
      window = { used: 0, resetAt: now + windowMs };
      this.windows.set(projectId, window);
    }
    if (window.used + jobs > budget) return { allowed: false, resetInMs: window.resetAt - now };
    window.used += jobs;
    return { allowed: true, resetInMs: window.resetAt - now };
  }

  async spent(projectId: string): Promise<BudgetSpent | undefined> {
    const window = this.windows.get(projectId);
    const now = this.clock.now();
    return window === undefined || window.resetAt <= now ? undefined : { jobs: window.used, resetInMs: window.resetAt - now };
  }

  async reset(projectId: string): Promise<void> {
    this.windows.delete(projectId);
  }
}

/** A project's budget as the admin routes show it; all three are null for a project without a budget. */
export interface BudgetUsage {
  limit: number | null;
  remaining: number | null;
  /** Milliseconds until the window ends; 0 when none is open. */
  resetMs: number | null;
}

export interface JobBudgetOptions {
  windowMs: number;
  /** Redis (when configured) and this instance's memory, with the store-failure policy between them. */
  stores: StoreFailover<JobBudgetStore>;
  metrics: Pick<MetricsHooks, 'limiterRejection'>;
}

/**
 * Throws GW.2002 (with Retry-After) when the project's budget cannot pay for the request. The budget is the caller's
 * to give (the project's jobBudget, else PROJECT_JOB_BUDGET), so projects with their own budgets share one store.
 */
export const createJobBudget = (options: JobBudgetOptions) => {
  const { windowMs } = options;
  // Open: the request goes ahead uncharged.
  const uncharged = (): BudgetVerdict => ({ allowed: true, resetInMs: windowMs });
  const charge = (projectId: string, jobs: number, budget: number): Promise<BudgetVerdict> =>
    options.stores.run((store) => store.charge(projectId, jobs, budget, windowMs), uncharged);
  const { local, shared } = options.stores;
  return {
    async spend(projectId: string, jobs: number, budget: number): Promise<void> {
      const verdict = await charge(projectId, jobs, budget);
      if (verdict.allowed) return;
      options.metrics.limiterRejection('project-budget');
      throw new GatewayError('GW.2002', { retryAfterSeconds: Math.max(1, Math.ceil(verdict.resetInMs / 1000)), limiter: 'project-budget' });
    },
    /** The shared window when Redis is configured (its failure is 503 GW.5030, not this instance's count), else memory. */
    async usage(projectId: string, budget: number | undefined): Promise<BudgetUsage> {
      if (budget === undefined) return { limit: null, remaining: null, resetMs: null };
      const spent = await needingStore(() => (shared ?? local).spent(projectId));
      return { limit: budget, remaining: Math.max(0, budget - (spent?.jobs ?? 0)), resetMs: spent?.resetInMs ?? 0 };
    },
    /** Both windows go, this instance's (counted while Redis failed) first; a Redis failure is 503 GW.5030. */
    async reset(projectId: string): Promise<void> {
      await local.reset(projectId);
      await needingStore(async () => shared?.reset(projectId));
    },
  };
};

export type JobBudget = ReturnType<typeof createJobBudget>;
