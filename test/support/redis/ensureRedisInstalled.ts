// Finds redis-server and redis-cli for the tests, installing Debian's package once where the machine allows it.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface RedisBinaries {
  server: string;
  cli: string;
}

const HOW_TO_INSTALL =
  'redis-server is required for the tests: install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`';

// The lock keeps parallel jest workers from racing apt; the re-check inside makes the install happen once.
const INSTALL_SCRIPT = [
  'exec 9>"${TMPDIR:-/tmp}/drs-gateway-redis-install.lock"',
  'flock 9 2>/dev/null || true',
  'command -v redis-server >/dev/null 2>&1 && exit 0',
  'apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 redis-server',
].join('\n');

const findExecutable = (name: string, dirs: readonly string[]): string | undefined => {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
};

const find = (dirs: readonly string[]): RedisBinaries | undefined => {
  const server = findExecutable('redis-server', dirs);
  const cli = findExecutable('redis-cli', dirs);
  return server !== undefined && cli !== undefined ? { server, cli } : undefined;
};

const tail = (error: unknown): string => {
  const stderr = (error as { stderr?: Buffer | string }).stderr;
  const text = stderr === undefined ? String(error) : stderr.toString();
  return text.trim().split('\n').slice(-5).join('\n');
};

/**
 * Synchronous on purpose: call it at a test file's top level, where no jest timeout applies,
 * because a first-time apt install outlasts a hook's timeout. `searchPath` replaces PATH (tests of this function).
 */
export const ensureRedisInstalled = (options: { searchPath?: string } = {}): RedisBinaries => {
  const dirs = (options.searchPath ?? [process.env.PATH ?? '', '/usr/local/bin', '/usr/bin', '/usr/sbin', '/opt/homebrew/bin'].join(delimiter))
    .split(delimiter)
    .filter((dir) => dir !== '');
  const found = find(dirs);
  if (found !== undefined) return found;

  const aptGet = findExecutable('apt-get', dirs);
  if (aptGet === undefined || process.getuid?.() !== 0) throw new Error(HOW_TO_INSTALL);
  try {
    execFileSync('sh', ['-c', INSTALL_SCRIPT], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
    });
  } catch (error) {
    throw new Error(`${HOW_TO_INSTALL}\n(the automatic apt-get install failed: ${tail(error)})`, { cause: error });
  }
  const installed = find(dirs);
  if (installed === undefined) throw new Error(`${HOW_TO_INSTALL}\n(apt-get ran, yet redis-server or redis-cli is still not on the PATH)`);
  return installed;
};
