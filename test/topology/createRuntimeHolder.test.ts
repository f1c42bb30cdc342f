// The reload seam: replace(config) swaps the snapshot, reuses what did not change, and keeps the running one on failure.
import type { GatewayConfig } from '../../src/config/schema';
import { startSimulator, type IamUser, type Simulator } from '../../src/simulator/startSimulator';
import { createRuntimeHolder, type RuntimeHolder } from '../../src/topology/createRuntimeHolder';
import { CountingMetrics } from '../support/CountingMetrics';
import { inMemoryTrace } from '../support/inMemoryTrace';
import { testRuntimeServices } from '../support/runtimeServices';
import { testConfig } from '../support/startTestGateway';

const A = '054ba152d480d55b2f5dc0069e7ddef0';
const B = 'a4a5d4098fb4474fa22cd05f897d6b99';
const C = 'c6c7f6210ad6696fb44ef27fa19f8d11';
const USER: IamUser = { domain: 'acme', name: 'drs-gateway', password: 'first-password' };
const JOB = '140b5236-88ad-43c8-811c-1268453jb101';

describe('createRuntimeHolder', () => {
  let north: Simulator;
  let south: Simulator;
  let holder: RuntimeHolder;
  let base: GatewayConfig;
  let metrics: CountingMetrics;

  const withPassword = (config: GatewayConfig, password: string): GatewayConfig => ({
    ...config,
    credentials: { main: { domainName: USER.domain, userName: USER.name, password } },
  });

  beforeAll(async () => {
    [north, south] = await Promise.all([startSimulator({ users: [USER] }), startSimulator({ users: [USER] })]);
    const flat = testConfig();
    base = withPassword(
      {
        ...flat,
        regions: { north: { drsEndpoint: north.url, iamEndpoint: north.url }, south: { drsEndpoint: south.url, iamEndpoint: south.url } },
        projects: { [A]: { region: 'north', credential: 'main' }, [B]: { region: 'south', credential: 'main' } },
      },
      USER.password,
    );
  });
  beforeEach(() => {
    north.resetStats();
    south.resetStats();
    const services = testRuntimeServices();
    metrics = services.metrics as CountingMetrics;
    holder = createRuntimeHolder(base, services);
  });
  afterEach(() => holder.close());
  afterAll(() => Promise.all([north.stop(), south.stop()]));

  const forward = (runtime = holder.current(), projectId = A) =>
    runtime.forwarder.forward({ projectId, route: 'batch-precheck-result', body: { jobs: [JOB] }, language: 'en-us', requestId: 'r1' });

  it('reuses token caches and limiters whose settings did not change, and builds new limiters for a changed tier', async () => {
    const before = holder.current();
    expect(holder.replace({ ...base })).toEqual({ built: [] });
    const same = holder.current();
    expect(same).not.toBe(before);
    expect(same.resolve(A)?.tokens).toBe(before.resolve(A)?.tokens);
    expect(same.limiters).toBe(before.limiters);

    expect(holder.replace({ ...base, rateLimit: { ...base.rateLimit, tiers: [{ name: 'services', scope: 'drs:precheck:bulk', max: 600 }] } })).toEqual({ built: ['limiters'] });
    expect(holder.current().limiters).not.toBe(before.limiters);
    expect(holder.current().resolve(A)?.tokens).toBe(before.resolve(A)?.tokens);
  });

  it('a snapshot taken before a replace keeps working: a request in flight finishes on the region it started with', async () => {
    const started = holder.current();
    holder.replace({ ...base, projects: { [A]: { region: 'south', credential: 'main' } } });
    await expect(forward(started)).resolves.toMatchObject({ body: { count: 1 } });
    expect(north.stats.drsRequests).toBe(1);
    await expect(forward()).resolves.toMatchObject({ body: { count: 1 } });
    expect(south.stats.drsRequests).toBe(1);
    expect(holder.current().resolve(B)).toBeUndefined();
    expect(Object.keys(holder.current().regions())).toEqual(['south']);
  });

  it('a rotated password is used for the next token fetch while cached tokens stay in use', async () => {
    await forward(holder.current(), A);
    expect(north.stats.iamTokenRequests).toBe(1);
    // The simulator knows only the first password, so IAM refusing B's fetch shows the new one was sent.
    holder.replace(withPassword(base, 'rotated-password'));
    await expect(forward(holder.current(), A)).resolves.toMatchObject({ body: { count: 1 } });
    expect(north.stats.iamTokenRequests).toBe(1);
    await expect(forward(holder.current(), B)).rejects.toMatchObject({ code: 'GW.3001' });
    holder.replace(withPassword(base, USER.password));
    await expect(forward(holder.current(), B)).resolves.toMatchObject({ body: { count: 1 } });
  });

  it('two regions sharing one IAM endpoint count and trace each IAM fetch under the region of its project', async () => {
    holder.replace({ ...base, regions: { ...base.regions, south: { drsEndpoint: south.url, iamEndpoint: north.url } } });
    const { trace, spans } = inMemoryTrace();
    for (const project of [A, B]) await holder.current().resolve(project)?.tokens.get(project, { trace });
    expect(north.stats.iamTokenRequests).toBe(2);
    expect([metrics.count('iam_fetch:ok:north'), metrics.count('iam_fetch:ok:south')]).toEqual([1, 1]);
    const regionOfFetch = Object.fromEntries(
      spans.getFinishedSpans().filter((span) => span.name === 'iam token').map((span) => [span.attributes['gateway.project_id'], span.attributes['gateway.region']]),
    );
    expect(regionOfFetch).toEqual({ [A]: 'north', [B]: 'south' });
  });

  it('a region renamed by a reload, endpoints kept, counts its IAM fetches under its new name only', async () => {
    await forward(holder.current(), A);
    expect(metrics.count('iam_fetch:ok:north')).toBe(1);
    const { north: renamed, ...others } = base.regions;
    holder.replace({
      ...base,
      regions: { ...others, 'cn-north': renamed as GatewayConfig['regions'][string] },
      projects: { [A]: { region: 'cn-north', credential: 'main' }, [B]: { region: 'south', credential: 'main' }, [C]: { region: 'cn-north', credential: 'main' } },
    });
    await expect(forward(holder.current(), C)).resolves.toMatchObject({ body: { count: 1 } });
    expect([metrics.count('iam_fetch:ok:north'), metrics.count('iam_fetch:ok:cn-north')]).toEqual([1, 1]);
  });

  it('a config whose new region has no endpoint and no embedded simulator is refused as a whole and the running snapshot stays', () => {
    const running = holder.current();
    expect(() => holder.replace({ ...base, regions: { ...base.regions, west: {} }, projects: { [A]: { region: 'west', credential: 'main' } } })).toThrow(/needs a restart/);
    expect(holder.current()).toBe(running);
  });

  it('a password change in a refused config is not applied', async () => {
    // B's (credential, region) line is reached before A's region fails, so only the commit step keeps the password out.
    const refused = { ...withPassword(base, 'never-applied'), regions: { ...base.regions, west: {} } };
    expect(() => holder.replace({ ...refused, projects: { [B]: { region: 'south', credential: 'main' }, [A]: { region: 'west', credential: 'main' } } })).toThrow(/needs a restart/);
    await expect(forward(holder.current(), B)).resolves.toMatchObject({ body: { count: 1 } });
  });
});
