// `drs-gateway config diff` against a real running gateway: exit statuses for no change, reloadable, restart-only, a broken file and every way it cannot run; no secret in its output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigHolder } from '../../src/config/ConfigHolder';
import { loadConfig } from '../../src/config/loadConfig';
import { startupSources } from '../../src/config/startupSources';
import { createLogger } from '../../src/logger';
import { startGateway, type RunningGateway } from '../../src/server';
import { gatewayYaml, PARTNER_PASSWORD_ENV } from '../support/gatewayYaml';
import { freePort } from '../support/redis/freePort';
import { runBuiltCli } from '../support/runBuiltCli';
import { signToken, TEST_SECRET } from '../support/tokens';

const PASSWORDS = { main: 'main-pa55word-on-disk', rotated: 'main-pa55word-rotated', other: 'other-pa55word-file', partner: 'partner-pa55word-env' };
const ADMIN_TOKEN = signToken({ sub: 'ops-ci', scope: 'gateway:admin' });
const READ_TOKEN = signToken({ sub: 'ops-viewer', scope: 'gateway:admin:read' });
const CALLER_TOKEN = signToken({ sub: 'app-1', scope: 'drs:precheck' });
const FORGED_TOKEN = signToken({ sub: 'ops-ci', scope: 'gateway:admin' }, {}, 'another-secret-that-is-long-enough-0123456789');
const SECRETS = [...Object.values(PASSWORDS), TEST_SECRET, ADMIN_TOKEN, READ_TOKEN, CALLER_TOKEN, FORGED_TOKEN];

interface DiffReport {
  valid: boolean;
  version: { hash: string };
  running: { version: { hash: string; loadedAt: string } };
  changes: Array<{ setting: string; change: string; restartOnly: boolean }>;
}

describe('drs-gateway config diff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drs-gateway-diff-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const passwordFile = file('iam-main', `${PASSWORDS.main}\n`);
  const otherPasswordFile = file('iam-main-2', `${PASSWORDS.other}\n`);
  const tokenFile = file('admin-token', `${ADMIN_TOKEN}\n`);
  const configFile = file('gateway.yaml', gatewayYaml({ passwordFile }));
  /** The gateway's environment, which the command is run with too (as in the gateway's own container). */
  const env = { PORT: '0', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', GATEWAY_CONFIG: configFile, [PARTNER_PASSWORD_ENV]: PASSWORDS.partner };
  const outputs: string[] = [];
  let gateway: RunningGateway;

  beforeAll(async () => {
    // Loaded from disk as main.ts loads it.
    const sources = startupSources(env);
    gateway = await startGateway(new ConfigHolder({ loaded: loadConfig(sources), sources }), { logger: createLogger('silent') });
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const diff = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const run = await runBuiltCli(['config', 'diff', ...args], { ...env, ...extraEnv });
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  const against = () => ['--against', gateway.url, '--token-file', tokenFile];

  it('exits 0 when the local configuration is the running one, whose version it then shares', async () => {
    const text = await diff(against());
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^no change: the running configuration \(version [0-9a-f]{64}, loaded [^)]+\) is this one\n$/);
    const json = await diff([...against(), '--json']);
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as DiffReport;
    expect(report).toEqual({ valid: true, problems: [], version: { hash: gateway.config.current().version.hash }, running: { version: gateway.config.current().version }, changes: [] });
  });

  it('exits 1 for reloadable changes only, naming each setting', async () => {
    const changed = file('tier-900.yaml', gatewayYaml({ passwordFile, max: 900 }).replace('jobBudget: 200', 'jobBudget: 150'));
    const text = await diff([...against(), '--config', changed]);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('2 settings differ from the running configuration');
    expect(text.stdout).toMatch(/ {2}changed {2}projects\.054ba152d480d55b2f5dc0069e7ddef0\.jobBudget {2}reloadable\n/);
    expect(text.stdout).toMatch(/ {2}changed {2}rateLimit\.tiers +reloadable\n/);
    expect(text.stdout).toContain('a reload applies them');
    const json = JSON.parse((await diff([...against(), '--config', changed, '--json'])).stdout) as DiffReport;
    expect(json.changes).toEqual([
      { setting: 'projects.054ba152d480d55b2f5dc0069e7ddef0.jobBudget', change: 'changed', restartOnly: false },
      { setting: 'rateLimit.tiers', change: 'changed', restartOnly: false },
    ]);
    expect(json.version.hash).not.toBe(json.running.version.hash);
  });

  it('exits 3 when a restart-only setting changes, in the file or in the environment', async () => {
    const cors = file('cors.yaml', gatewayYaml({ passwordFile, max: 900, extra: 'cors: { origins: ["https://console.example.com"] }' }));
    const json = await diff([...against(), '--config', cors, '--json']);
    expect(json.status).toBe(3);
    expect((JSON.parse(json.stdout) as DiffReport).changes).toEqual([
      { setting: 'cors.origins', change: 'changed', restartOnly: true },
      { setting: 'rateLimit.tiers', change: 'changed', restartOnly: false },
    ]);
    const port = await diff(against(), { PORT: '8080' });
    expect(port.status).toBe(3);
    expect(port.stdout).toMatch(/ {2}changed {2}server\.port {2}restart-only\nit needs a restart: a reload would be refused\n$/);
  });

  it('sees a changed password reference but not a password rotated behind the same one', async () => {
    writeFileSync(passwordFile, `${PASSWORDS.rotated}\n`);
    try {
      expect((await diff(against())).status).toBe(0);
    } finally {
      writeFileSync(passwordFile, `${PASSWORDS.main}\n`);
    }
    const moved = file('moved-secret.yaml', gatewayYaml({ passwordFile: otherPasswordFile }));
    const json = await diff([...against(), '--config', moved, '--json']);
    expect(json.status).toBe(1);
    expect((JSON.parse(json.stdout) as DiffReport).changes).toEqual([{ setting: 'credentials.main.passwordFile', change: 'changed', restartOnly: false }]);
    const added = file('added-project.yaml', `${gatewayYaml({ passwordFile })}\n`.replace('projects:\n', 'projects:\n  0123456789abcdef0123456789abcdef: { region: cn-north-4, credential: partner }\n'));
    expect((JSON.parse((await diff([...against(), '--config', added, '--json'])).stdout) as DiffReport).changes).toEqual([
      { setting: 'projects.0123456789abcdef0123456789abcdef.credential', change: 'added', restartOnly: false },
      { setting: 'projects.0123456789abcdef0123456789abcdef.region', change: 'added', restartOnly: false },
    ]);
  });

  it('exits 4 for a file with problems, printed as check prints them', async () => {
    const broken = file('broken.yaml', gatewayYaml({ passwordFile }).replace(`passwordFile: ${passwordFile}`, 'password: inline-pa55word'));
    const text = await diff([...against(), '--config', broken]);
    expect(text).toEqual({ status: 4, stdout: expect.stringMatching(/^configuration invalid: 1 problem\n {2}credentials\.main\.password: an inline password is refused/), stderr: '' });
    expect(text.stdout).not.toContain('inline-pa55word');
    const json = await diff([...against(), '--config', broken, '--json']);
    expect(json.status).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, problems: [{ setting: 'credentials.main.password' }], version: null });
  });

  it('takes a read-only token from GATEWAY_ADMIN_TOKEN', async () => {
    const run = await diff(['--against', `${gateway.url}/`], { GATEWAY_ADMIN_TOKEN: READ_TOKEN });
    expect(run.status).toBe(0);
  });

  it('exits 2 with a clear message when the gateway is unreachable or refuses the token', async () => {
    const closedPort = await freePort();
    const unreachable = await diff(['--against', `http://127.0.0.1:${closedPort}`, '--token-file', tokenFile]);
    expect(unreachable).toEqual({ status: 2, stdout: '', stderr: `drs-gateway: cannot reach the gateway at http://127.0.0.1:${closedPort}: ECONNREFUSED\n` });
    // fetch refuses some ports outright (1 is tcpmux); the reason still says why.
    expect(await diff(['--against', 'http://127.0.0.1:1', '--token-file', tokenFile])).toEqual({ status: 2, stdout: '', stderr: 'drs-gateway: cannot reach the gateway at http://127.0.0.1:1: bad port\n' });

    const forged = await diff(['--against', gateway.url], { GATEWAY_ADMIN_TOKEN: FORGED_TOKEN });
    expect(forged.status).toBe(2);
    expect(forged.stderr).toMatch(/^drs-gateway: the gateway refused the token: 401 GW\.1002 /);
    const caller = await diff(['--against', gateway.url], { GATEWAY_ADMIN_TOKEN: CALLER_TOKEN });
    expect(caller.status).toBe(2);
    expect(caller.stderr).toMatch(/^drs-gateway: the gateway refused the token: 403 GW\.1004 .*gateway:admin:read or gateway:admin/);
    const notAGateway = await diff(['--against', `${gateway.url}/healthz`, '--token-file', tokenFile]);
    expect(notAGateway.status).toBe(2);
    expect(notAGateway.stderr).toContain('unexpected answer');
  });

  it('exits 2 for a usage error: no --against, no token, an unusable URL or token file', async () => {
    const runs = await Promise.all([
      diff(['--token-file', tokenFile]),
      diff(['--against', gateway.url]),
      diff(['--against', 'ftp://127.0.0.1/', '--token-file', tokenFile]),
      diff(['--against', `http://ops:${PASSWORDS.other}@127.0.0.1:1`, '--token-file', tokenFile]),
      diff(['--against', gateway.url, '--token-file', join(dir, 'no-token')]),
    ]);
    expect(runs.map((run) => run.status)).toEqual([2, 2, 2, 2, 2]);
    expect(runs.map((run) => run.stderr)).toEqual([
      expect.stringContaining('config diff needs --against URL'),
      expect.stringContaining('no admin token: give --token-file FILE or set GATEWAY_ADMIN_TOKEN'),
      expect.stringContaining('--against must be an http:// or https:// URL'),
      expect.stringContaining('--against must not carry user:password@'),
      expect.stringContaining(`cannot read the token file ${join(dir, 'no-token')} (ENOENT)`),
    ]);
  });

  it('never printed a password, a token or the signing secret', () => {
    expect(outputs.join('')).toContain('restart-only');
    for (const output of outputs) for (const secret of SECRETS) expect(output).not.toContain(secret);
  });
});
