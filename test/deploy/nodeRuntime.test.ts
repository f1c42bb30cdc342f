// The Node the gateway runs on: npm refuses an older one at install time, and the image is built on the same major.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { minVersion, satisfies } from 'semver';

const ROOT = join(__dirname, '..', '..');

const enginesNode = (manifest: string): string => (JSON.parse(readFileSync(join(ROOT, manifest), 'utf8')) as { engines: { node: string } }).engines.node;


/** npm's own environment variables from a surrounding `npm test`, which would override the copied project's .npmrc. */
const withoutNpmConfig = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).filter(([name]) => !name.toLowerCase().startsWith('npm_config_')));

describe('the Node runtime', () => {
  let project: string;

  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'node-engines-'));
    mkdirSync(join(project, 'clients', 'typescript'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json', '.npmrc', 'clients/typescript/package.json']) copyFileSync(join(ROOT, file), join(project, file));
  });

  afterEach(() => rmSync(project, { recursive: true, force: true }));

  it('requires Node 24 LTS (24.11 or later) for the gateway', () => {
    expect(enginesNode('package.json')).toBe('>=24.11');
  });

  it('makes npm ci stop at once with the engines message when npm runs on Node 20', async () => {
    // npm takes the Node version it checks engines against from process.version; this preload makes it Node 20's.
    const olderNode = join(project, 'node20.cjs');
    writeFileSync(olderNode, "Object.defineProperty(process, 'version', { value: 'v20.20.2' });\n");
    const run = promisify(execFile)('npm', ['ci', '--dry-run', '--offline', '--ignore-scripts'], {
      cwd: project,
      env: { ...withoutNpmConfig(process.env), NODE_OPTIONS: `--require ${olderNode}` },
      timeout: 60_000,
    });
    const failure = await run.then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('npm error code EBADENGINE');
    expect(failure?.stderr).toContain('Required: {"node":">=24.11"}');
    expect(failure?.stderr).toContain('Actual:   {"node":"v20.20.2"');
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });

  it('builds and runs the image on the major that package.json requires', () => {
    const bases = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1]);
    expect(bases).toHaveLength(2);
    for (const base of bases) expect(base).toBe(`node:${minVersion(enginesNode('package.json'))!.major}-bookworm-slim`);
  });

  it.each([
    ['the gateway', '.', 'package.json'],
    ['the client', 'clients/typescript', 'clients/typescript/package.json'],
  ])('declares a Node floor for %s that every one of its dependencies supports', (_name, dir, manifest) => {
    const floor = minVersion(enginesNode(manifest))!.version;
    const { dependencies = {}, devDependencies = {} } = JSON.parse(readFileSync(join(ROOT, manifest), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const unsupported = Object.keys({ ...dependencies, ...devDependencies }).filter((name) => {
      const installed = [join(ROOT, dir, 'node_modules', name), join(ROOT, 'node_modules', name)].find((path) => existsSync(path))!;
      const range = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;
      return range !== undefined && !satisfies(floor, range);
    });
    expect(unsupported).toEqual([]);
  });
});
