// Two regions with their own simulators and IAM accounts behind one gateway: routing, refusals, groups, budgets, tiers.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { GatewayConfig } from '../../src/config/schema';
import { createLogger } from '../../src/logger';
import { startSimulator, type IamUser, type Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { startConfiguredGateway, testConfig, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, signToken } from '../support/tokens';

const NORTH_MAIN = '054ba152d480d55b2f5dc0069e7ddef0';
const SOUTH_PARTNER = 'a4a5d4098fb4474fa22cd05f897d6b99';
const NORTH_PARTNER = 'b5b6e5109fc5585fa33de16f908e7c00';
const UNLISTED = 'c6c7f6210ad6696fb44ef27fa19f8d11';

const MAIN: IamUser = { domain: 'acme', name: 'drs-gateway', password: 'main-password-0f3a9c' };
const PARTNER: IamUser = { domain: 'acme-partner', name: 'drs-gateway', password: 'partner-password-7b21e4' };
const credential = (user: IamUser) => ({ domainName: user.domain, userName: user.name, password: user.password });

const jobs = (n: number) => Array.from({ length: n }, (_, i) => ({ job_id: `${String(i).padStart(8, '0')}-88ad-43c8-811c-1268453jb101`, precheck_mode: 'forStartJob' }));

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

/** A flat test config turned into §9's shape: two regions, two credentials, three listed projects. */
const twoRegions = (north: { drs: string; iam: string }, south: { drs: string; iam: string }, env: Record<string, string> = {}): GatewayConfig => {
  const config = testConfig({ RATE_LIMIT_MAX: '1000', ...env });
  return {
    ...config,
    regions: { north: { drsEndpoint: north.drs, iamEndpoint: north.iam }, south: { drsEndpoint: south.drs, iamEndpoint: south.iam } },
    credentials: { main: credential(MAIN), partner: credential(PARTNER) },
    projects: {
      [NORTH_MAIN]: { region: 'north', credential: 'main' },
      [SOUTH_PARTNER]: { region: 'south', credential: 'partner' },
      [NORTH_PARTNER]: { region: 'north', credential: 'partner', jobBudget: 2 },
    },
  };
};

const everyProject = bearer(signToken({ sub: 'regions', projects: ['*'] }));
const precheck = (gateway: TestGateway, project: string, token = everyProject, body: unknown = { jobs: jobs(1) }) =>
  send(gateway.url, `/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: token }, body });

describe('two regions, two IAM accounts', () => {
  let north: Simulator;
  let south: Simulator;
  let gateway: TestGateway;
  const logLines: string[] = [];

  beforeAll(async () => {
    // Each simulator knows both accounts, so only the gateway's choice of credential decides whose token arrives.
    [north, south] = await Promise.all([startSimulator({ users: [MAIN, PARTNER] }), startSimulator({ users: [MAIN, PARTNER] })]);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString().split('\n').filter((line) => line.length > 0));
        done();
      },
    });
    const config = twoRegions({ drs: north.url, iam: north.url }, { drs: south.url, iam: south.url });
    gateway = await startConfiguredGateway(
      {
        ...config,
        rateLimit: { ...config.rateLimit, max: 2, tiers: [{ name: 'services', scope: 'drs:precheck:bulk', max: 3 }] },
        access: { groupsClaim: 'groups', groups: { 'dba-team': [NORTH_MAIN], everyone: ['*'] } },
      },
      { logger: createLogger('debug', sink) },
    );
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([north.stop(), south.stop()]);
  });
  beforeEach(() => {
    north.resetStats();
    south.resetStats();
  });

  // Every caller gets its own sub: the default tier allows 2 requests per caller.
  let callers = 0;
  const caller = (claims: Record<string, unknown> = { projects: ['*'] }) => bearer(signToken({ sub: `caller-${(callers += 1)}`, ...claims }));

  it('sends each project only to its region, with a token of its own credential', async () => {
    expect((await precheck(gateway, NORTH_MAIN, caller())).status).toBe(200);
    expect((await precheck(gateway, SOUTH_PARTNER, caller())).status).toBe(200);
    expect((await precheck(gateway, NORTH_PARTNER, caller())).status).toBe(200);
    expect(north.stats.drsRequestsByUser).toEqual({ 'acme/drs-gateway': 1, 'acme-partner/drs-gateway': 1 });
    expect(south.stats.drsRequestsByUser).toEqual({ 'acme-partner/drs-gateway': 1 });
    expect(north.stats.requests.map((r) => r.path)).toEqual([`/v3/${NORTH_MAIN}/jobs/batch-precheck`, `/v3/${NORTH_PARTNER}/jobs/batch-precheck`]);
    expect(south.stats.requests.map((r) => r.path)).toEqual([`/v3/${SOUTH_PARTNER}/jobs/batch-precheck`]);
  });

  it('refuses a project the file does not list with 403 GW.1005, whatever the claims, before any IAM or DRS call', async () => {
    for (const token of [caller({ projects: ['*'] }), caller({ projects: [UNLISTED] }), caller({ projects: [], groups: ['everyone'] })]) {
      const res = await precheck(gateway, UNLISTED, token);
      expect(res.status).toBe(403);
      expect(res.json()).toMatchObject({ error_code: 'GW.1005' });
    }
    for (const simulator of [north, south]) expect(simulator.stats).toMatchObject({ iamTokenRequests: 0, drsRequests: 0 });
  });

  it('a groups claim grants exactly its group projects, as an array or a space-separated string', async () => {
    for (const groups of [['dba-team'], 'other dba-team']) {
      expect((await precheck(gateway, NORTH_MAIN, caller({ projects: [], groups }))).status).toBe(200);
      expect((await precheck(gateway, SOUTH_PARTNER, caller({ projects: [], groups }))).json()).toMatchObject({ error_code: 'GW.1005' });
      expect((await precheck(gateway, NORTH_PARTNER, caller({ projects: [], groups }))).json()).toMatchObject({ error_code: 'GW.1005' });
    }
    expect(south.stats.drsRequests).toBe(0);
    expect((await precheck(gateway, SOUTH_PARTNER, caller({ projects: [], groups: ['everyone'] }))).status).toBe(200);
  });

  it("a project's jobBudget applies to it alone, with PROJECT_JOB_BUDGET unset", async () => {
    const refused = await precheck(gateway, NORTH_PARTNER, caller(), { jobs: jobs(3) });
    expect(refused.status).toBe(429);
    expect(refused.json()).toMatchObject({ error_code: 'GW.2002' });
    expect(north.stats.drsRequests).toBe(0);
    expect((await precheck(gateway, NORTH_MAIN, caller(), { jobs: jobs(10) })).status).toBe(200);
  });

  it('a caller in a tier gets its limit, and RateLimit-Policy names the tier', async () => {
    const bulk = caller({ projects: ['*'], scope: 'drs:precheck drs:precheck:bulk' });
    const statuses: number[] = [];
    let policy = '';
    for (let i = 0; i < 4; i += 1) {
      const res = await precheck(gateway, NORTH_MAIN, bulk);
      statuses.push(res.status);
      policy = res.headers.get('ratelimit-policy') ?? policy;
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(policy).toContain('"services"; q=3; w=60;');

    const plain = caller();
    const plainStatuses = [];
    for (let i = 0; i < 3; i += 1) plainStatuses.push((await precheck(gateway, NORTH_MAIN, plain)).status);
    expect(plainStatuses).toEqual([200, 200, 429]);
    expect((await precheck(gateway, NORTH_MAIN, plain)).headers.get('ratelimit-policy')).toContain('"caller"; q=2; w=60;');
  });

  it('invalidating one project drops only its credential token for it', async () => {
    const token = caller({ projects: ['*'], scope: 'drs:precheck drs:precheck:bulk' });
    expect((await precheck(gateway, NORTH_MAIN, token)).status).toBe(200);
    expect((await precheck(gateway, NORTH_PARTNER, token, { jobs: jobs(1) })).status).toBe(200);
    north.resetStats();
    const admin = bearer(signToken({ sub: 'ops', scope: 'gateway:admin' }));
    const dropped = await send(gateway.url, '/admin/iam-tokens/invalidate', { headers: { Authorization: admin }, body: { project_id: NORTH_PARTNER } });
    expect(dropped.status).toBe(200);
    expect((await precheck(gateway, NORTH_MAIN, token)).status).toBe(200);
    expect(north.stats.iamTokenRequests).toBe(0);
    const after = await send(gateway.url, `/v3/${NORTH_PARTNER}/jobs/batch-precheck-result`, { headers: { Authorization: caller() }, body: { jobs: [JOB] } });
    expect(after.status).toBe(200);
    expect(north.stats.iamTokenRequests).toBe(1);
  });

  it('/readyz lists each region with its DRS circuit and IAM state', async () => {
    const res = await send(gateway.url, '/readyz', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ready',
      dependencies: { upstream: 'up', iam: 'up', regions: { north: { drs: 'up', iam: 'up' }, south: { drs: 'up', iam: 'up' } } },
    });
  });

  it('no password or IAM token appears in any log line, /admin/config, /readyz or /metrics', async () => {
    const token = caller();
    await precheck(gateway, NORTH_MAIN, token);
    await precheck(gateway, SOUTH_PARTNER, token);
    const iamTokens = [...north.stats.requests, ...south.stats.requests].map((r) => String(r.headers['x-auth-token']));
    expect(iamTokens.length).toBeGreaterThan(0);
    const admin = bearer(signToken({ sub: 'ops', scope: 'gateway:admin' }));
    const outputs = [
      ...logLines,
      (await send(gateway.url, '/admin/config', { method: 'GET', headers: { Authorization: admin } })).text,
      (await send(gateway.url, '/readyz', { method: 'GET' })).text,
      (await send(gateway.url, '/metrics', { method: 'GET' })).text,
    ].join('\n');
    for (const secret of [MAIN.password, PARTNER.password, ...iamTokens]) expect(outputs).not.toContain(secret);
    expect(outputs).toContain('drs-gateway');
  });
});

describe('one region down', () => {
  let north: Simulator;
  let southIam: Simulator;
  let gateway: TestGateway;

  beforeAll(async () => {
    [north, southIam] = await Promise.all([startSimulator({ users: [MAIN, PARTNER] }), startSimulator({ users: [MAIN, PARTNER] })]);
    // South's IAM answers, its DRS refuses connections: the requests reach the DRS step and count against its circuit.
    gateway = await startConfiguredGateway(twoRegions({ drs: north.url, iam: north.url }, { drs: `http://127.0.0.1:${await closedPort()}`, iam: southIam.url }));
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([north.stop(), southIam.stop()]);
  });

  it("refused connections, then an open circuit, in one region never fail the other region's requests or readiness", async () => {
    for (let i = 0; i < 5; i += 1) {
      const refused = await precheck(gateway, SOUTH_PARTNER);
      expect(refused.status).toBe(503);
      expect(refused.json()).toMatchObject({ error_code: 'GW.3006' });
      expect((await precheck(gateway, NORTH_MAIN)).status).toBe(200);
    }
    const ready = await send(gateway.url, '/readyz', { method: 'GET' });
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ dependencies: { upstream: 'up', regions: { north: { drs: 'up' }, south: { drs: 'circuit-open' } } } });
    const metrics = (await send(gateway.url, '/metrics', { method: 'GET' })).text;
    expect(metrics).toContain('gateway_upstream_circuit_state{region="north"} 0');
    expect(metrics).toContain('gateway_upstream_circuit_state{region="south"} 2');

    north.resetStats();
    const open = await precheck(gateway, SOUTH_PARTNER);
    expect(open.status).toBe(503);
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 3; i += 1) expect((await precheck(gateway, NORTH_MAIN)).status).toBe(200);
    expect(north.stats.drsRequests).toBe(3);
  });
});

describe('regions without endpoints', () => {
  it('get one embedded simulator each, knowing every configured account, and each project reaches its own', async () => {
    const config = twoRegions({ drs: 'unused', iam: 'unused' }, { drs: 'unused', iam: 'unused' });
    const gateway = await startConfiguredGateway({ ...config, regions: { north: {}, south: {} } });
    try {
      expect(Object.keys(gateway.simulators).sort()).toEqual(['north', 'south']);
      const { north, south } = gateway.simulators as Record<'north' | 'south', Simulator>;
      expect(north.url).not.toBe(south.url);
      expect((await precheck(gateway, NORTH_MAIN)).status).toBe(200);
      expect((await precheck(gateway, SOUTH_PARTNER)).status).toBe(200);
      expect(north.stats.drsRequestsByUser).toEqual({ 'acme/drs-gateway': 1 });
      expect(south.stats.drsRequestsByUser).toEqual({ 'acme-partner/drs-gateway': 1 });
    } finally {
      await gateway.stop();
    }
  });
});
