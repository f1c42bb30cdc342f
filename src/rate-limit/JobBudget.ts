// A project's budget of pre-check jobs per window: a request costs its number of jobs, all or nothing.
import type { Clock } from '../clock';
import { GatewayError } from '../errors/GatewayError';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';
import type { StoreFailover } from '../failover/StoreFailover';

export interface BudgetVerdict {
  allowed: boolean;
  /** Milliseconds until the project's window ends. */
  resetInMs: number;
}

export interface JobBudgetStore {
  /** Charges `jobs` against the project unless that would pass `budget`; never charges part of a request. */
  charge(projectId: string, jobs: number, budget: number, windowMs: number): Promise<BudgetVerdict>;
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

export class RedisJobBudgetStore implements JobBudgetStore {
  constructor(private readonly client: RedisClient) {}

  async charge(projectId: string, jobs: number, budget: number, windowMs: number): Promise<BudgetVerdict> {
    const [allowed, ttl] = (await CHARGE.run(this.client, [`gw:budget:${projectId}`], [jobs, budget, windowMs])) as [number, number];
    return { allowed: allowed === 1, resetInMs: ttl };
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
  return {
    async spend(projectId: string, jobs: number, budget: number): Promise<void> {
      const verdict = await charge(projectId, jobs, budget);
      if (verdict.allowed) return;
      options.metrics.limiterRejection('project-budget');
      throw new GatewayError('GW.2002', { retryAfterSeconds: Math.max(1, Math.ceil(verdict.resetInMs / 1000)), limiter: 'project-budget' });
    },
  };
};

export type JobBudget = ReturnType<typeof createJobBudget>;
