// The generated OpenAPI document passes the linters other teams and generators use: Redocly's recommended rules and Spectral's spectral:oas.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DRS_ROUTE_TABLE } from '../../src/drs/drsRouteTable';
import { buildOpenApiDocument } from '../../src/openapi/buildOpenApiDocument';
import { GATEWAY_VERSION } from '../../src/version';

const ROOT = join(__dirname, '..', '..');
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const SPECTRAL = join(ROOT, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
/** Neither tool may reach the network: Redocly's usage data and update notice are off by their documented switches. */
const OFFLINE_ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

/** Runs a linter; both exit non-zero when they find something, and their JSON report is on stdout either way. */
const run = async (args: string[], cwd: string): Promise<string> => {
  const running = promisify(execFile)(process.execPath, args, { cwd, env: OFFLINE_ENV, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  const { stdout } = await running.catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout || error.stderr || '' }));
  return stdout;
};

jest.setTimeout(120_000);

describe('the OpenAPI document in other tools', () => {
  let dir: string;
  let documentPath: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    documentPath = join(dir, 'openapi.json');
    writeFileSync(documentPath, JSON.stringify(buildOpenApiDocument(GATEWAY_VERSION, DRS_ROUTE_TABLE), null, 2));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("passes Redocly's recommended rules without an error or a warning", async () => {
    const report = JSON.parse(await run([REDOCLY, 'lint', '--config', join(ROOT, 'redocly.yaml'), '--format', 'json', documentPath], dir)) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string }>;
    };
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("gets no finding of any severity from Spectral's spectral:oas rules", async () => {
    const findings = JSON.parse(await run([SPECTRAL, 'lint', '--ruleset', join(ROOT, '.spectral.yaml'), '--format', 'json', '--quiet', documentPath], dir)) as Array<{ code: string; message: string }>;
    expect(findings.map((finding) => `${finding.code}: ${finding.message}`)).toEqual([]);
  });
});
