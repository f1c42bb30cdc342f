// The package's `drs-gateway` bin: declared in package.json, compiled with a node shebang, and runnable with npx.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHILD_BASE_ENV, CLI } from '../support/runBuiltCli';
import { TEST_SECRET } from '../support/tokens';

const ROOT = join(__dirname, '../..');

describe('the drs-gateway bin', () => {
  it('is the compiled command line, started by node', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(join(ROOT, pkg.bin['drs-gateway'] as string)).toBe(CLI);
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('runs through npx in the package directory, offline', async () => {
    // A cache of its own, offline, and no lifecycle scripts: npx links this package and runs its bin, and its
    // `prepare` would rebuild dist/ under the other tests' feet (npm ci has built it already).
    const cache = mkdtempSync(join(tmpdir(), 'drs-gateway-npx-'));
    try {
      const { stdout } = await promisify(execFile)('npx', ['--no', '--', 'drs-gateway', 'config', 'check', '--json'], {
        cwd: ROOT,
        env: { ...CHILD_BASE_ENV, JWT_SECRET: TEST_SECRET, npm_config_cache: cache, npm_config_offline: 'true', npm_config_ignore_scripts: 'true', npm_config_update_notifier: 'false' },
        timeout: 60_000,
      });
      expect(JSON.parse(stdout)).toEqual({ valid: true, problems: [], version: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 90_000);
});
