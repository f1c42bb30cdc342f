// `drs-gateway config check` as CI runs it: the built command, a config file on disk, the environment; exit statuses, every problem by setting, no secret.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayNodeFlags } from '../../bench/lib/startCommand';
import { configHash } from '../../src/config/configVersion';
import { loadConfig } from '../../src/config/loadConfig';
import { startupSources } from '../../src/config/startupSources';
import { gatewayYaml, PARTNER_PASSWORD_ENV, PROJECT_B } from '../support/gatewayYaml';
import { CHILD_BASE_ENV, runBuiltCli } from '../support/runBuiltCli';
import { TEST_SECRET } from '../support/tokens';

const MAIN_PASSWORD = 'main-pa55word-in-a-file';
const PARTNER_PASSWORD = 'partner-pa55word-in-env';
const INLINE_PASSWORD = 'inline-pa55word-refused';
const SECRETS = [MAIN_PASSWORD, PARTNER_PASSWORD, INLINE_PASSWORD, TEST_SECRET];

describe('drs-gateway config check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drs-gateway-check-'));
  const passwordFile = join(dir, 'iam-main');
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  writeFileSync(passwordFile, `${MAIN_PASSWORD}\n`);
  const env = { JWT_SECRET: TEST_SECRET, [PARTNER_PASSWORD_ENV]: PARTNER_PASSWORD };
  const valid = file('valid.yaml', gatewayYaml({ passwordFile }));
  /** Three problems at once: an inline password, a project naming no region, and a value of the wrong kind. */
  const invalid = file(
    'invalid.yaml',
    gatewayYaml({ passwordFile, extra: 'progress: { heartbeatMs: soon }' }).replace(`passwordFile: ${passwordFile}`, `password: ${INLINE_PASSWORD}`).replace('region: ap-southeast-1', 'region: nowhere'),
  );
  const outputs: string[] = [];
  const check = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const run = await runBuiltCli(['config', 'check', ...args], { ...env, ...extraEnv });
    outputs.push(run.stdout, run.stderr);
    return run;
  };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for a valid file and prints the version hash the gateway would run, from --config or GATEWAY_CONFIG', async () => {
    const expected = configHash(loadConfig(startupSources({ ...env, GATEWAY_CONFIG: valid })).config);
    const byOption = await check(['--config', valid]);
    expect(byOption).toEqual({ status: 0, stdout: `configuration valid (version ${expected})\n`, stderr: '' });
    const byVariable = await check(['--json'], { GATEWAY_CONFIG: valid });
    expect(byVariable.status).toBe(0);
    expect(JSON.parse(byVariable.stdout)).toEqual({ valid: true, problems: [], version: { hash: expected } });
  });

  it('exits 1 and names every problem by its setting, never its value, as text and as JSON', async () => {
    const text = await check(['--config', invalid]);
    expect(text.status).toBe(1);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^configuration invalid: 3 problems\n/);
    expect(text.stdout).toContain('  credentials.main.password: an inline password is refused');
    expect(text.stdout).toContain(`  projects.${PROJECT_B}.region: names a region that is not defined in regions`);
    expect(text.stdout).not.toContain('nowhere');
    expect(text.stdout).toContain('  progress.heartbeatMs: ');

    const json = await check(['--config', invalid, '--json']);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as { valid: boolean; problems: Array<{ setting: string; message: string }>; version: unknown };
    expect(report.valid).toBe(false);
    expect(report.version).toBeNull();
    expect(report.problems.map((p) => p.setting)).toEqual(['credentials.main.password', `projects.${PROJECT_B}.region`, 'progress.heartbeatMs']);
    for (const problem of report.problems) expect(problem.message).not.toContain('soon');
  });

  it('applies the production rules when NODE_ENV=production, naming each missing setting', async () => {
    const run = await check(['--config', valid, '--json'], { NODE_ENV: 'production' });
    expect(run.status).toBe(1);
    const settings = (JSON.parse(run.stdout) as { problems: Array<{ setting: string }> }).problems.map((p) => p.setting);
    expect(settings).toEqual(expect.arrayContaining(['REDIS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE']));
    expect((await check(['--config', valid])).status).toBe(0);
  });

  it('reads every secret as start-up does: a passwordFile or passwordEnv it cannot resolve is a problem of that setting', async () => {
    const missingFile = file('missing-secret.yaml', gatewayYaml({ passwordFile: join(dir, 'no-such-secret') }));
    const run = await runBuiltCli(['config', 'check', '--config', missingFile, '--json'], { JWT_SECRET: TEST_SECRET });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      problems: [
        { setting: 'credentials.main.passwordFile', message: 'file cannot be read' },
        { setting: 'credentials.partner.passwordEnv', message: 'names an environment variable that is not set' },
      ],
    });
  });

  it('finds exactly the problems start-up refuses to start with', async () => {
    const unknownRegion = file('unknown-region.yaml', gatewayYaml({ passwordFile }).replace('region: ap-southeast-1', 'region: nowhere'));
    const settings = { ...env, NODE_ENV: 'production', GATEWAY_CONFIG: unknownRegion };
    const gateway = spawn(process.execPath, [...gatewayNodeFlags(), join(__dirname, '../../dist/main.js')], { env: { ...CHILD_BASE_ENV, ...settings }, stdio: ['ignore', 'pipe', 'pipe'] });
    let startup = '';
    gateway.stderr.on('data', (chunk: Buffer) => (startup += chunk.toString()));
    const [code] = (await once(gateway, 'close')) as [number];
    expect(code).toBe(1);
    const refusedAtStart = [...startup.matchAll(/^ {2}- (.+)$/gm)].map((m) => m[1]);

    const run = await runBuiltCli(['config', 'check'], settings);
    expect(run.status).toBe(1);
    const found = [...run.stdout.matchAll(/^ {2}(.+)$/gm)].map((m) => m[1]);
    expect(refusedAtStart).toEqual(expect.arrayContaining([`projects.${PROJECT_B}.region: names a region that is not defined in regions`, 'JWT_ISSUER: required in production']));
    expect(found).toEqual(refusedAtStart);
  });

  it('exits 2 when it cannot run: a file it cannot read, an unknown option or command', async () => {
    const unreadable = await check(['--config', join(dir, 'absent.yaml')]);
    expect(unreadable).toEqual({ status: 2, stdout: '', stderr: `drs-gateway: cannot read the configuration file ${join(dir, 'absent.yaml')} (ENOENT)\n` });
    const directory = await check([], { GATEWAY_CONFIG: dir });
    expect(directory).toEqual({ status: 2, stdout: '', stderr: `drs-gateway: cannot read the configuration file ${dir} (EISDIR)\n` });

    const unknownOption = await check(['--config', valid, '--verbose']);
    expect(unknownOption.status).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--verbose'");
    expect((await check(['--config'])).status).toBe(2);
    const unknownCommand = await runBuiltCli(['config', 'validate'], env);
    expect(unknownCommand).toMatchObject({ status: 2, stdout: '' });
    expect(unknownCommand.stderr).toContain('--help');
    const help = await runBuiltCli(['--help'], env);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('drs-gateway config diff --against URL');
  });

  it('never printed a password or the signing secret', () => {
    expect(outputs.join('')).toContain('configuration invalid');
    for (const output of outputs) for (const secret of SECRETS) expect(output).not.toContain(secret);
  });
});
