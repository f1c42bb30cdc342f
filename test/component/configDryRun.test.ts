// POST /admin/config/reload?dry_run=true: the changes a reload would make, and nothing applied, counted or recorded (version, metrics, behaviour, lastReload); lastReload after route reloads.
import { createLogger } from '../../src/logger';
import type { RunningGateway } from '../../src/server';
import { FakeClock } from '../support/fakeClock';
import { gatewayYaml, MAIN_PASSWORD_FILE, PARTNER_PASSWORD_ENV, PROJECT_A, PROJECT_B } from '../support/gatewayYaml';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startReloadableGateway } from '../support/startTestGateway';
import { bearer, signToken, TEST_SECRET } from '../support/tokens';

const FILE = '/etc/gateway.yaml';
const PASSWORDS = ['main-pa55word-one', 'main-pa55word-two'];
const reader = { Authorization: bearer(signToken({ sub: 'ops-viewer', scope: 'gateway:admin:read' })) };
const admin = { Authorization: bearer(signToken({ sub: 'ops-admin', scope: 'gateway:admin' })) };
const bulk = { Authorization: bearer(signToken({ sub: 'bulk-dry-run', projects: ['*'], scope: 'drs:precheck drs:precheck:bulk' })) };

interface Shown {
  version: { hash: string; loadedAt: string };
  lastReload: Record<string, unknown> | null;
  rateLimit: { tiers: Array<{ max: number }> };
}

describe('dry-run reload', () => {
  const { sink, lines } = logLines();
  const files: Record<string, string> = { [FILE]: gatewayYaml(), [MAIN_PASSWORD_FILE]: `${PASSWORDS[0]}\n` };
  // Moved past the scrape cache's second before each scrape, so /metrics is rendered afresh every time.
  const clock = new FakeClock(Date.now());
  const outputs: string[] = [];
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startReloadableGateway({ GATEWAY_CONFIG: FILE, [PARTNER_PASSWORD_ENV]: 'partner-pa55word', LOG_LEVEL: 'info' }, files, { logger: createLogger('info', sink), clock });
  });
  afterAll(() => gateway.stop());

  const call = async (path: string, headers: Record<string, string>, method = 'POST') => {
    const res = await send(gateway.url, path, { method, headers });
    outputs.push(res.text);
    return res;
  };
  const shown = async () => (await call('/admin/config', reader, 'GET')).json<Shown>();
  const metrics = async () => {
    clock.advance(1_001);
    const text = (await call('/metrics', {}, 'GET')).text;
    return {
      reloads: [...text.matchAll(/^gateway_config_reloads_total\{outcome="(\w+)"\} (\d+)$/gm)].map((m) => `${m[1]}=${m[2]}`).sort(),
      info: [...text.matchAll(/^gateway_config_info\{hash="([0-9a-f]+)"\} 1$/gm)].map((m) => m[1]),
    };
  };
  /** Three bulk-tier requests whose empty body is refused after the limiters have charged: 429 shows the tier's limit in force. */
  const bulkStatuses = async (): Promise<number[]> => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await send(gateway.url, `/v3/${PROJECT_A}/jobs/batch-precheck`, { headers: bulk, body: {} })).status);
    return statuses;
  };

  it('lists what a reload would change, secrets by name only, and applies nothing: same version, no lastReload, no metric, the old limits in force', async () => {
    const before = await shown();
    const metricsBefore = await metrics();
    expect(metricsBefore).toEqual({ reloads: ['failure=0', 'success=0'], info: [before.version.hash] });
    expect(before.lastReload).toBeNull();

    files[FILE] = gatewayYaml({ max: 2 }).replace(`${PROJECT_B}: { region: ap-southeast-1, credential: partner }`, `${PROJECT_B}: { region: ap-southeast-1, credential: partner, jobBudget: 7 }`);
    files[MAIN_PASSWORD_FILE] = `${PASSWORDS[1]}\n`;
    const dryRun = await call('/admin/config/reload?dry_run=true', reader);
    expect(dryRun.status).toBe(200);
    const body = dryRun.json<{ valid: boolean; version: { hash: string }; changes: unknown[] }>();
    expect(body).toEqual({
      valid: true,
      version: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      changes: [
        { setting: 'credentials.main.password', change: 'changed', restartOnly: false },
        { setting: `projects.${PROJECT_B}.jobBudget`, change: 'added', restartOnly: false },
        { setting: 'rateLimit.tiers', change: 'changed', restartOnly: false },
      ],
    });
    expect(body.version.hash).not.toBe(before.version.hash);
    // A second one answers the same: the first changed nothing it compares against.
    expect((await call('/admin/config/reload?dry_run=true', admin)).json()).toEqual(body);

    const after = await shown();
    expect(after.version).toEqual(before.version);
    expect(after.lastReload).toBeNull();
    expect(after.rateLimit.tiers[0]?.max).toBe(600);
    expect(await metrics()).toEqual(metricsBefore);
    expect(gateway.config.current().config.credentials.main?.password).toBe(PASSWORDS[0]);
    expect(await bulkStatuses()).toEqual([400, 400, 400]);

    // The same file reloaded for real: the version the dry run announced, counted, recorded, in force.
    const reload = await call('/admin/config/reload', admin);
    expect(reload.status).toBe(200);
    const reloaded = await shown();
    expect(reloaded.version.hash).toBe(body.version.hash);
    expect(reloaded.lastReload).toEqual({ outcome: 'success', at: expect.any(String), source: 'route', version: { hash: body.version.hash } });
    expect(await metrics()).toEqual({ reloads: ['failure=0', 'success=1'], info: [body.version.hash] });
    expect(await bulkStatuses()).toEqual([400, 400, 429]);
    expect((await call('/admin/config/reload?dry_run=true', reader)).json()).toEqual({ valid: true, version: body.version, changes: [] });
  });

  it('answers a file a reload would refuse with 422 GW.4001 and every problem, counting and recording nothing', async () => {
    const before = await shown();
    const metricsBefore = await metrics();
    files[FILE] = gatewayYaml({ max: 2, extra: 'server: { port: 9999 }' }).replace('region: ap-southeast-1', 'region: nowhere');
    const res = await call('/admin/config/reload?dry_run=true', reader);
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({
      error_code: 'GW.4001',
      errors: [
        { setting: `projects.${PROJECT_B}.region`, message: 'names a region that is not defined in regions' },
        { setting: 'server.port in GATEWAY_CONFIG', message: expect.stringContaining('needs a restart') },
      ],
    });
    const after = await shown();
    expect(after.version).toEqual(before.version);
    expect(after.lastReload).toEqual(before.lastReload);
    expect(await metrics()).toEqual(metricsBefore);
    const audit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.action === 'config.dry-run');
    expect(audit.at(-1)).toMatchObject({ outcome: 'failure', status: 422, code: 'GW.4001', caller: 'ops-viewer', settings: [`projects.${PROJECT_B}.region`, 'server.port in GATEWAY_CONFIG'] });
  });

  it('records a refused route reload in lastReload with its problems, and the next success replaces it', async () => {
    const refused = await call('/admin/config/reload', admin);
    expect(refused.status).toBe(422);
    const afterRefusal = await shown();
    expect(afterRefusal.lastReload).toEqual({
      outcome: 'failure',
      at: expect.any(String),
      source: 'route',
      problems: refused.json<{ errors: unknown[] }>().errors,
    });
    expect(new Date(afterRefusal.lastReload?.at as string).toISOString()).toBe(afterRefusal.lastReload?.at);

    files[FILE] = gatewayYaml({ max: 2 });
    expect((await call('/admin/config/reload', admin)).status).toBe(200);
    expect((await shown()).lastReload).toMatchObject({ outcome: 'success', source: 'route' });
  });

  it('never showed or logged a password or the signing secret', () => {
    for (const text of [...outputs, ...lines]) for (const secret of [...PASSWORDS, 'partner-pa55word', TEST_SECRET]) expect(text).not.toContain(secret);
  });
});
