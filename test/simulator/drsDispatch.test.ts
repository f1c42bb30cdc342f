// The simulator serves exactly the rows of the route table it was started with: each one routed, any other DRS path APIG's 404.
import { DRS_ROUTE_TABLE, drsPath, type DrsRouteTable } from '../../src/drs/drsRouteTable';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { JOB_ID, postJson, PROJECT_ID } from './simulatorClient';

describe('the simulated DRS routes', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.stop());

  it('routes every row of the route table to its own behaviour', async () => {
    sim.resetStats();
    for (const route of DRS_ROUTE_TABLE) {
      const res = await postJson(`${sim.url}${drsPath(PROJECT_ID, route.name)}`, { jobs: [JOB_ID] });
      // No token: the route was found and DRS's authentication refused the request.
      expect({ route: route.name, status: res.status }).toEqual({ route: route.name, status: 401 });
    }
    expect(sim.stats.drsRequestsByRoute).toEqual(Object.fromEntries(DRS_ROUTE_TABLE.map((route) => [route.name, 1])));
  });

  it('answers APIG 404 for a DRS-shaped path no row names, and for a row path with another method', async () => {
    sim.resetStats();
    for (const name of ['batch-precheck-results', 'batch-precheck/extra', 'no-such-route']) {
      const res = await postJson(`${sim.url}/v3/${PROJECT_ID}/jobs/${name}`, { jobs: [JOB_ID] });
      expect({ name, status: res.status, code: ((await res.json()) as { error_code?: string }).error_code }).toEqual({ name, status: 404, code: 'APIG.0101' });
    }
    const get = await fetch(`${sim.url}${drsPath(PROJECT_ID, 'batch-precheck')}`);
    expect(get.status).toBe(404);
    expect(sim.stats.drsRequests).toBe(0);
  });

  it('refuses a fault aimed at a route it does not serve', async () => {
    const res = await fetch(`${sim.url}/__sim/faults`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ drs: { route: 'no-such-route', kind: 'drop' } }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { problems: string[] }).problems.join(' ')).toContain('drs');
  });

  it('does not start with a row it has no behaviour for', async () => {
    const table = [...DRS_ROUTE_TABLE, { ...DRS_ROUTE_TABLE[1], name: 'no-such-route' }] as unknown as DrsRouteTable;
    await expect(startSimulator({ drsRoutes: table })).rejects.toThrow('the simulator has no behaviour for the DRS route no-such-route');
  });
});
