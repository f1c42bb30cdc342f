// The project job budget through the shared store-failure wrapper: charged in Redis, and local / open / closed when Redis fails.
import { createJobBudget, MemoryJobBudgetStore, type JobBudgetStore } from '../../src/rate-limit/JobBudget';
import type { StoreErrorPolicy } from '../../src/failover/StoreFailover';
import { testFailover } from '../support/testFailover';
import { FakeClock } from '../support/fakeClock';

const PROJECT = 'p'.repeat(32);

/** A memory budget standing in for Redis, failing every call while `down`. */
class SwitchableBudgetStore implements JobBudgetStore {
  down = false;
  constructor(private readonly inner: JobBudgetStore) {}
  async charge(projectId: string, jobs: number, budget: number, windowMs: number) {
    if (this.down) throw new Error('Connection is closed.');
    return this.inner.charge(projectId, jobs, budget, windowMs);
  }
}

/** The project's budget, as the runtime resolves it (its jobBudget, else PROJECT_JOB_BUDGET). */
const BUDGET = 3;

const setup = (policy: StoreErrorPolicy) => {
  const clock = new FakeClock();
  const shared = new SwitchableBudgetStore(new MemoryJobBudgetStore(clock));
  const { failover: stores, metrics, lines } = testFailover<JobBudgetStore>({ shared, local: new MemoryJobBudgetStore(clock), policy, store: 'rate-limit' });
  const warnings = () => lines.filter((line) => line.level === 'warn').map((line) => line.msg);
  return { shared, metrics, warnings, budget: createJobBudget({ windowMs: 60_000, stores, metrics }) };
};

describe('createJobBudget', () => {
  it('charges whole requests and refuses one the budget cannot pay with 429 GW.2002 and Retry-After', async () => {
    const { budget, metrics } = setup('closed');
    await budget.spend(PROJECT, 2, BUDGET);
    await expect(budget.spend(PROJECT, 2, BUDGET)).rejects.toMatchObject({ code: 'GW.2002', status: 429, options: { retryAfterSeconds: 60 } });
    await budget.spend(PROJECT, 1, BUDGET);
    expect(metrics.count('limiter_rejection:project-budget')).toBe(1);
  });

  it('local: keeps charging in memory while the shared store fails', async () => {
    const { shared, budget, metrics, warnings } = setup('local');
    shared.down = true;
    await budget.spend(PROJECT, 3, BUDGET);
    await expect(budget.spend(PROJECT, 1, BUDGET)).rejects.toMatchObject({ code: 'GW.2002' });
    expect(metrics.count('store_error:rate-limit')).toBe(2);
    expect(warnings()).toEqual(['test store failed']);
  });

  it('open: lets every request through uncharged while the shared store fails', async () => {
    const { shared, budget } = setup('open');
    shared.down = true;
    for (let i = 0; i < 5; i += 1) await budget.spend(PROJECT, 3, BUDGET);
  });

  it('closed: refuses with 503 GW.5030 while the shared store fails, and charges again once it answers', async () => {
    const { shared, budget } = setup('closed');
    shared.down = true;
    await expect(budget.spend(PROJECT, 1, BUDGET)).rejects.toMatchObject({ code: 'GW.5030', status: 503 });
    shared.down = false;
    await budget.spend(PROJECT, 3, BUDGET);
    await expect(budget.spend(PROJECT, 1, BUDGET)).rejects.toMatchObject({ code: 'GW.2002' });
  });
});
