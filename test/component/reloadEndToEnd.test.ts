// Issue #10's "done when" over real HTTP: two regions, two accounts, one file; a project moved, a tier changed and a password rotated by reload.
import { createLogger } from '../../src/logger';
import { startSimulator, type IamUser, type Simulator } from '../../src/simulator/startSimulator';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startReloadableGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, signToken, TEST_SECRET } from '../support/tokens';
import { eventually, waitFor } from '../support/eventually';

const FILE = '/etc/gateway.yaml';
const MAIN_PASSWORD_FILE = '/run/secrets/iam-main';
const PARTNER_PASSWORD_ENV = 'IAM_PASSWORD_PARTNER';
/** Moved from north to south by the first reload. */
const MOVED = '054ba152d480d55b2f5dc0069e7ddef0';
/** Stays in north with the main account: its token is warm when the password rotates. */
const WARM = 'b5b6e5109fc5585fa33de16f908e7c00';
/** First asked for after the rotation: its token needs the new password. */
const COLD = 'c6c7f6210ad6696fb44ef27fa19f8d11';

const MAIN: IamUser = { domain: 'acme', name: 'drs-gateway', password: 'main-pa55word-before' };
const ROTATED = 'main-pa55word-after';
const PARTNER: IamUser = { domain: 'acme-partner', name: 'drs-gateway', password: 'partner-pa55word-env' };

interface Layout {
  movedTo: 'north' | 'south';
  tierMax: number;
  ipMax?: number;
  drsTimeoutMs?: number;
}

const gatewayFile = (north: Simulator, south: Simulator, { movedTo, tierMax, ipMax = 1000, drsTimeoutMs = 10_000 }: Layout): string => `
credentials:
  main: { domainName: ${MAIN.domain}, userName: ${MAIN.name}, passwordFile: ${MAIN_PASSWORD_FILE} }
  partner: { domainName: ${PARTNER.domain}, userName: ${PARTNER.name}, passwordEnv: ${PARTNER_PASSWORD_ENV} }
regions:
  north: { drsEndpoint: ${north.url}, iamEndpoint: ${north.url} }
  south: { drsEndpoint: ${south.url}, iamEndpoint: ${south.url} }
projects:
  ${MOVED}: { region: ${movedTo}, credential: ${movedTo === 'north' ? 'main' : 'partner'} }
  ${WARM}: { region: north, credential: main }
  ${COLD}: { region: north, credential: main }
drs: { timeoutMs: ${drsTimeoutMs} }
rateLimit:
  max: 100
  ipMax: ${ipMax}
  tiers:
    - { name: services, scope: "drs:precheck:bulk", max: ${tierMax} }
`;

interface Version {
  hash: string;
  loadedAt: string;
}

describe('reloading a two-region, two-account gateway end to end', () => {
  const { sink, lines } = logLines();
  const outputs: string[] = [];
  const files: Record<string, string> = {};
  let north: Simulator;
  let south: Simulator;
  let gateway: TestGateway;
  let callers = 0;
  const caller = (scope = 'drs:precheck') => bearer(signToken({ sub: `reload-caller-${(callers += 1)}`, projects: ['*'], scope }));
  const admin = { Authorization: bearer(signToken({ sub: 'ops', scope: 'gateway:admin' })) };

  beforeAll(async () => {
    // Both simulators know both accounts, so only the gateway's choice of region and credential decides what arrives where.
    [north, south] = await Promise.all([startSimulator({ users: [MAIN, PARTNER] }), startSimulator({ users: [MAIN, PARTNER] })]);
    files[FILE] = gatewayFile(north, south, { movedTo: 'north', tierMax: 5 });
    files[MAIN_PASSWORD_FILE] = `${MAIN.password}\n`;
    gateway = await startReloadableGateway({ GATEWAY_CONFIG: FILE, [PARTNER_PASSWORD_ENV]: PARTNER.password, LOG_LEVEL: 'debug' }, files, { logger: createLogger('debug', sink) });
  });
  afterAll(async () => {
    await gateway.stop();
    await Promise.all([north.stop(), south.stop()]);
  });
  /** Every IAM token DRS received, gathered before each test's stats are reset. */
  const iamTokens: string[] = [];
  afterEach(() => {
    for (const request of [...north.stats.requests, ...south.stats.requests]) iamTokens.push(String(request.headers['x-auth-token']));
  });
  beforeEach(() => {
    north.resetStats();
    south.resetStats();
  });

  const call = async (path: string, init: Parameters<typeof send>[2]) => {
    const res = await send(gateway.url, path, init);
    outputs.push(res.text, JSON.stringify([...res.headers]));
    return res;
  };
  const precheck = (project: string, token = caller()) => call(`/v3/${project}/jobs/batch-precheck`, { headers: { Authorization: token }, body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] } });
  const reload = async (): Promise<Version> => {
    const res = await call('/admin/config/reload', { headers: admin });
    expect(res.status).toBe(200);
    return res.json<{ version: Version }>().version;
  };
  /** /metrics once it contains `expected` (a scrape may serve text up to a second old). */
  const metricsWith = async (expected: string): Promise<string> => (await eventually(() => call('/metrics', { method: 'GET' }), (res) => res.text.includes(expected))).text;
  const shown = async () => (await call('/admin/config', { method: 'GET', headers: admin })).json<{ version: Version; rateLimit: { tiers: Array<{ name: string; max: number }> } }>();

  it('a pre-check in flight across a reload that moves its project finishes on the old region; the next one reaches the new region with its credential', async () => {
    expect((await precheck(MOVED)).status).toBe(200);
    north.resetStats();
    north.faults.set({ drs: { latencyMs: 2_000, times: 1 } });
    let settled = false;
    const slow = precheck(MOVED).finally(() => (settled = true));
    await waitFor(() => north.stats.drsRequests === 1, 10_000, 'the slow pre-check to reach north');

    files[FILE] = gatewayFile(north, south, { movedTo: 'south', tierMax: 5 });
    await reload();
    expect(settled).toBe(false);
    const inFlight = await slow;
    expect(inFlight.status).toBe(200);
    expect(north.stats.drsRequestsByUser).toEqual({ 'acme/drs-gateway': 1 });
    expect(south.stats.drsRequests).toBe(0);

    const after = await precheck(MOVED);
    expect(after.status).toBe(200);
    expect(north.stats.drsRequests).toBe(1);
    expect(south.stats.drsRequestsByUser).toEqual({ 'acme-partner/drs-gateway': 1 });
    expect(south.stats.iamTokenRequests).toBe(1);
    expect(south.stats.requests.map((r) => r.path)).toEqual([`/v3/${MOVED}/jobs/batch-precheck`]);
  });

  it("a tier's max changed in the file and reloaded by route is the next requests' limit, shown in /admin/config and /metrics", async () => {
    const before = await shown();
    const reloadsBefore = Number(/gateway_config_reloads_total\{outcome="success"\} (\d+)/.exec(await metricsWith(`gateway_config_info{hash="${before.version.hash}"} 1`))?.[1] ?? 0);

    files[FILE] = gatewayFile(north, south, { movedTo: 'south', tierMax: 2 });
    const version = await reload();
    expect(version.hash).not.toBe(before.version.hash);
    expect(Date.parse(version.loadedAt)).toBeGreaterThan(Date.parse(before.version.loadedAt));

    const bulk = caller('drs:precheck drs:precheck:bulk');
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await precheck(WARM, bulk));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 429]);
    expect(answers[2]?.json()).toMatchObject({ error_code: 'GW.2001' });
    for (const res of answers) expect(res.headers.get('ratelimit-policy')).toContain('"services"; q=2; w=60;');

    const after = await shown();
    expect(after.version).toEqual(version);
    expect(after.rateLimit.tiers).toEqual([expect.objectContaining({ name: 'services', max: 2 })]);
    const metrics = await metricsWith(`gateway_config_info{hash="${version.hash}"} 1`);
    expect(metrics).toContain(`gateway_config_info{hash="${version.hash}"} 1`);
    expect(metrics).not.toContain(`hash="${before.version.hash}"`);
    expect(metrics).toContain(`gateway_config_reloads_total{outcome="success"} ${reloadsBefore + 1}`);
  });

  it('a rotated password file is used for the next token fetch while cached tokens stay; the hash stays', async () => {
    expect((await precheck(WARM)).status).toBe(200);
    const before = await shown();
    north.setUserPassword(MAIN.domain, MAIN.name, ROTATED);
    files[MAIN_PASSWORD_FILE] = `${ROTATED}\n`;
    north.resetStats();

    const version = await reload();
    expect(version.hash).toBe(before.version.hash);
    expect(version.loadedAt).not.toBe(before.version.loadedAt);

    expect((await precheck(WARM)).status).toBe(200);
    expect(north.stats.iamTokenRequests).toBe(0);
    const cold = await precheck(COLD);
    expect(cold.status).toBe(200);
    expect(north.stats.iamTokenRequests).toBe(1);
    expect(north.stats.drsRequestsByUser).toEqual({ 'acme/drs-gateway': 2 });

    // After invalidation the warm project fetches again, with the new password too.
    expect((await call('/admin/iam-tokens/invalidate', { headers: admin, body: { project_id: WARM } })).status).toBe(200);
    expect((await precheck(WARM)).status).toBe(200);
    expect(north.stats.iamTokenRequests).toBe(2);
  });

  it("a DRS timeout shortened by reload is the next request's deadline", async () => {
    files[FILE] = gatewayFile(north, south, { movedTo: 'south', tierMax: 2, drsTimeoutMs: 300 });
    await reload();
    north.faults.set({ drs: { latencyMs: 3_000, times: 1 } });
    const slow = await precheck(WARM);
    expect(slow.status).toBe(504);
    expect(slow.json()).toMatchObject({ error_code: 'GW.3007' });
  });

  it('an IP limit lowered by reload refuses the next requests from that IP at the new limit', async () => {
    files[FILE] = gatewayFile(north, south, { movedTo: 'south', tierMax: 2, drsTimeoutMs: 300, ipMax: 3 });
    await reload();
    const statuses: number[] = [];
    let refusal: Awaited<ReturnType<typeof precheck>> | undefined;
    while (refusal === undefined && statuses.length < 5) {
      const res = await precheck(WARM);
      statuses.push(res.status);
      if (res.status === 429) refusal = res;
    }
    expect(statuses.length).toBeLessThanOrEqual(4);
    expect(refusal?.json()).toMatchObject({ error_code: 'GW.2001' });
    expect(refusal?.headers.get('ratelimit-policy')).toContain('"ip"; q=3;');
  });

  it('never put a password, the signing secret or an IAM token in any answer, header or log line above', () => {
    expect(iamTokens.length).toBeGreaterThan(5);
    expect(lines.some((line) => line.includes('"msg":"configuration reloaded"') || line.includes('"action":"config.reload"'))).toBe(true);
    for (const text of [...outputs, ...lines]) for (const secret of [MAIN.password, ROTATED, PARTNER.password, TEST_SECRET, ...iamTokens]) expect(text).not.toContain(secret);
  });
});

describe('the shutdown grace after a reload', () => {
  it('follows the running DRS timeout, so a request under the longer deadline a reload set is still covered', async () => {
    const { sink, lines } = logLines();
    const files: Record<string, string> = { [FILE]: 'drs: { timeoutMs: 10000 }\n' };
    const gateway = await startReloadableGateway({ GATEWAY_CONFIG: FILE, SHUTDOWN_GRACE_MS: '1000', LOG_LEVEL: 'info' }, files, { logger: createLogger('info', sink) });
    try {
      files[FILE] = 'drs: { timeoutMs: 20000 }\n';
      expect((await gateway.config.reload('signal')).ok).toBe(true);
    } finally {
      await gateway.stop();
    }
    const draining = lines.map((line) => JSON.parse(line) as { msg: string; graceMs?: number }).find((line) => line.msg.startsWith('draining'));
    // IAM_TIMEOUT_MS + 2 × the reloaded UPSTREAM_TIMEOUT_MS + 5 s.
    expect(draining?.graceMs).toBe(5_000 + 2 * 20_000 + 5_000);
  });
});
