// The resolver: project -> region, credential and job budget, or not served, each placement built once.
import { createProjectResolver, type ProjectPlacement, type TopologySettings } from '../../src/topology/resolveProject';

const A = '054ba152d480d55b2f5dc0069e7ddef0';
const B = 'a4a5d4098fb4474fa22cd05f897d6b99';
const settings = (over: Partial<TopologySettings> = {}): TopologySettings => ({
  rateLimit: { projectJobBudget: undefined },
  ...over,
});

describe('createProjectResolver', () => {
  it('without a projects list serves every project from region and credential default, with PROJECT_JOB_BUDGET', () => {
    const resolve = createProjectResolver(settings({ rateLimit: { projectJobBudget: 7 } }), (p) => p);
    expect(resolve(A)).toEqual({ region: 'default', credential: 'default', jobBudget: 7 });
    expect(resolve(B)).toEqual({ region: 'default', credential: 'default', jobBudget: 7 });
  });

  it('with a projects list serves only those, each with its own region, credential and budget (jobBudget over PROJECT_JOB_BUDGET)', () => {
    const resolve = createProjectResolver(
      settings({ projects: { [A]: { region: 'south', credential: 'partner', jobBudget: 3 }, [B]: { region: 'default', credential: 'default' } }, rateLimit: { projectJobBudget: 50 } }),
      (p) => p,
    );
    expect(resolve(A)).toEqual({ region: 'south', credential: 'partner', jobBudget: 3 });
    expect(resolve(B)).toEqual({ region: 'default', credential: 'default', jobBudget: 50 });
    expect(resolve('c'.repeat(32))).toBeUndefined();
  });

  it('builds each placement once, not per request', () => {
    const built: ProjectPlacement[] = [];
    const resolve = createProjectResolver(settings(), (p) => (built.push(p), { p }));
    expect(resolve(A)).toBe(resolve(B));
    expect(built).toHaveLength(1);
  });
});
