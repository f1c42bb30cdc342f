// /admin/config and POST /admin/config/reload over HTTP: redacted credentials and regions, the version, 200/422/403, metrics, audit lines, no secret anywhere.
import { createLogger } from '../../src/logger';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { gatewayYaml, MAIN_PASSWORD_FILE, PARTNER_PASSWORD_ENV, PROJECT_B } from '../support/gatewayYaml';
import { startReloadableGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, signToken, TEST_SECRET } from '../support/tokens';
import { eventually } from '../support/eventually';

const FILE = '/etc/gateway.yaml';
const MAIN_PASSWORDS = ['main-pa55word-one', 'main-pa55word-two'];
const PARTNER_PASSWORD = 'partner-pa55word-env';

const admin = { Authorization: bearer(signToken({ sub: 'ops-7', scope: 'gateway:admin' })) };
const SECRETS = [...MAIN_PASSWORDS, PARTNER_PASSWORD, TEST_SECRET];

interface Version {
  hash: string;
  loadedAt: string;
}

describe('configuration over HTTP', () => {
  const { sink, lines } = logLines();
  const files: Record<string, string> = { [FILE]: gatewayYaml(), [MAIN_PASSWORD_FILE]: `${MAIN_PASSWORDS[0]}\n` };
  const outputs: string[] = [];
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startReloadableGateway({ GATEWAY_CONFIG: FILE, [PARTNER_PASSWORD_ENV]: PARTNER_PASSWORD, LOG_LEVEL: 'info' }, files, { logger: createLogger('info', sink) });
  });
  afterAll(() => gateway.stop());

  const call = async (path: string, method: string, headers: Record<string, string> = admin) => {
    const res = await send(gateway.url, path, { method, headers });
    outputs.push(res.text);
    return res;
  };
  const shown = async () => (await call('/admin/config', 'GET')).json<{ version: Version; credentials: Record<string, Record<string, string>>; regions: Record<string, Record<string, string>>; rateLimit: { tiers: Array<{ max: number }> } }>();
  /** The /metrics text once it reflects `expected` (a scrape may be up to a second old). */
  const metricsWith = async (expected: string): Promise<string> => (await eventually(() => call('/metrics', 'GET', {}), (res) => res.text.includes(expected))).text;
  const auditLines = (action: string) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.audit === 'admin' && l.action === action);

  it('GET /admin/config shows every credential and region, passwords redacted, references and the version shown', async () => {
    const config = await shown();
    expect(config.credentials).toEqual({
      main: { domainName: 'acme', userName: 'drs-gateway', password: '[redacted]', passwordFile: '/run/secrets/iam-main' },
      partner: { domainName: 'acme-partner', userName: 'drs-gateway', password: '[redacted]', passwordEnv: 'IAM_PASSWORD_PARTNER' },
    });
    expect(Object.keys(config.regions)).toEqual(['cn-north-4', 'ap-southeast-1']);
    expect(config.version.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(new Date(config.version.loadedAt).toISOString()).toBe(config.version.loadedAt);
    expect(await metricsWith(config.version.hash)).toContain(`gateway_config_info{hash="${config.version.hash}"} 1`);
  });

  it('POST /admin/config/reload runs a changed file: 200 with the new version, /admin/config, /metrics and the audit line follow', async () => {
    const before = (await shown()).version;
    files[FILE] = gatewayYaml({ max: 900 });
    const res = await call('/admin/config/reload', 'POST');
    expect(res.status).toBe(200);
    const { version } = res.json<{ version: Version }>();
    expect(version.hash).not.toBe(before.hash);
    expect(Date.parse(version.loadedAt)).toBeGreaterThan(Date.parse(before.loadedAt));

    const after = await shown();
    expect(after.version).toEqual(version);
    expect(after.rateLimit.tiers[0]?.max).toBe(900);
    const metrics = await metricsWith(`gateway_config_info{hash="${version.hash}"} 1`);
    expect(metrics).toContain(`gateway_config_info{hash="${version.hash}"} 1`);
    expect(metrics).not.toContain(before.hash);
    expect(metrics).toMatch(/gateway_config_reloads_total\{outcome="success"\} [1-9]/);
    expect(auditLines('config.reload')).toContainEqual(expect.objectContaining({ caller: 'ops-7', outcome: 'success', version: version.hash }));
  });

  it('re-reads a rotated password file: 200, the hash stays, loadedAt moves on', async () => {
    const before = (await shown()).version;
    files[MAIN_PASSWORD_FILE] = `${MAIN_PASSWORDS[1]}\n`;
    const res = await call('/admin/config/reload', 'POST');
    expect(res.status).toBe(200);
    const { version } = res.json<{ version: Version }>();
    expect(version.hash).toBe(before.hash);
    expect(version.loadedAt).not.toBe(before.loadedAt);
    expect(gateway.config.current().config.credentials.main?.password).toBe(MAIN_PASSWORDS[1]);
  });

  it('refuses an invalid file with 422 GW.4001 listing every problem by setting, and keeps the running configuration', async () => {
    const before = await shown();
    files[FILE] = gatewayYaml({ max: 5, extra: 'server: { port: 9999 }' }).replace('passwordFile: /run/secrets/iam-main', 'password: inline-pa55word').replace('region: ap-southeast-1', 'region: nowhere');
    const res = await call('/admin/config/reload', 'POST');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = res.json<{ error_code: string; errors: Array<{ setting: string; message: string }> }>();
    expect(problem.error_code).toBe('GW.4001');
    expect(problem.errors.map((e) => e.setting)).toEqual(['credentials.main.password', `projects.${PROJECT_B}.region`, 'server.port in GATEWAY_CONFIG']);
    expect(problem.errors[2]?.message).toContain('refused even where PORT overrides it');
    expect(res.text).not.toContain('inline-pa55word');

    const after = await shown();
    expect(after.version).toEqual(before.version);
    expect(after.rateLimit.tiers[0]?.max).toBe(900);
    expect(await metricsWith('gateway_config_reloads_total{outcome="failure"} 1')).toContain('gateway_config_reloads_total{outcome="failure"} 1');
    expect(auditLines('config.reload')).toContainEqual(
      expect.objectContaining({ caller: 'ops-7', outcome: 'failure', version: before.version.hash, settings: ['credentials.main.password', `projects.${PROJECT_B}.region`, 'server.port in GATEWAY_CONFIG'] }),
    );
    for (const line of lines) expect(line).not.toContain('inline-pa55word');
    files[FILE] = gatewayYaml({ max: 900 });
  });

  it('answers 401 without a token, 403 without gateway:admin, 405 for another method', async () => {
    expect((await call('/admin/config/reload', 'POST', {})).status).toBe(401);
    const caller = await call('/admin/config/reload', 'POST', { Authorization: bearer(signToken({ sub: 'app-1', projects: ['*'] })) });
    expect(caller.status).toBe(403);
    expect(caller.json().error_code).toBe('GW.1004');
    const wrong = await call('/admin/config/reload', 'GET');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('writes one audit line per admin action with who, what, outcome and version', async () => {
    const { version } = await shown();
    expect(auditLines('config.read').at(-1)).toMatchObject({ caller: 'ops-7', outcome: 'success', version: version.hash, msg: 'configuration read' });
    await call('/admin/iam-tokens/invalidate', 'POST');
    expect(auditLines('iam-tokens.invalidate')).toEqual([expect.objectContaining({ caller: 'ops-7', outcome: 'success', version: version.hash, scope: 'all' })]);
  });

  it('never put a password or the signing secret in any answer or log line above', () => {
    expect(outputs.length).toBeGreaterThan(10);
    expect(lines.length).toBeGreaterThan(10);
    for (const text of [...outputs, ...lines]) for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
