// Finds the binaries a test needs, installing their Debian package once where the machine allows it (root + apt-get).
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface DebianPackageNeed<Name extends string> {
  /** The Debian package that provides the binaries. */
  pkg: string;
  binaries: readonly Name[];
  /** The whole message a person gets when the machine cannot install it by itself. */
  howToInstall: string;
  /** Replaces PATH (tests of this function). */
  searchPath?: string;
}

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

const findAll = <Name extends string>(names: readonly Name[], dirs: readonly string[]): Record<Name, string> | undefined => {
  const found = {} as Record<Name, string>;
  for (const name of names) {
    const path = findExecutable(name, dirs);
    if (path === undefined) return undefined;
    found[name] = path;
  }
  return found;
};

const tail = (error: unknown): string => {
  const stderr = (error as { stderr?: Buffer | string }).stderr;
  const text = stderr === undefined ? String(error) : stderr.toString();
  return text.trim().split('\n').slice(-5).join('\n');
};

/**
 * Synchronous on purpose: call it at a test file's top level, where no jest timeout applies, because a
 * first-time apt install outlasts a hook's timeout. A lock keeps parallel jest workers from racing apt.
 */
export const ensureDebianPackage = <Name extends string>(need: DebianPackageNeed<Name>): Record<Name, string> => {
  const dirs = (need.searchPath ?? [process.env.PATH ?? '', '/usr/local/bin', '/usr/bin', '/usr/sbin', '/opt/homebrew/bin'].join(delimiter))
    .split(delimiter)
    .filter((dir) => dir !== '');
  const found = findAll(need.binaries, dirs);
  if (found !== undefined) return found;

  const aptGet = findExecutable('apt-get', dirs);
  if (aptGet === undefined || process.getuid?.() !== 0) throw new Error(need.howToInstall);
  const script = [
    `exec 9>"\${TMPDIR:-/tmp}/drs-gateway-${need.pkg}-install.lock"`,
    'flock 9 2>/dev/null || true',
    `command -v ${need.binaries[0]} >/dev/null 2>&1 && exit 0`,
    `apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 ${need.pkg}`,
  ].join('\n');
  try {
    execFileSync('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
  } catch (error) {
    throw new Error(`${need.howToInstall}\n(the automatic apt-get install failed: ${tail(error)})`, { cause: error });
  }
  const installed = findAll(need.binaries, dirs);
  if (installed === undefined) throw new Error(`${need.howToInstall}\n(apt-get ran, yet ${need.binaries.join(' or ')} is still not on the PATH)`);
  return installed;
};
