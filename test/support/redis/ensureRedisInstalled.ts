// Finds redis-server and redis-cli for the tests, installing Debian's package once where the machine allows it.
import { ensureDebianPackage } from '../ensureDebianPackage';

export interface RedisBinaries {
  server: string;
  cli: string;
}

const HOW_TO_INSTALL =
  'redis-server is required for the tests: install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`';

/** Synchronous: call it at a test file's top level (see ensureDebianPackage). */
export const ensureRedisInstalled = (options: { searchPath?: string } = {}): RedisBinaries => {
  const found = ensureDebianPackage({ pkg: 'redis-server', binaries: ['redis-server', 'redis-cli'], howToInstall: HOW_TO_INSTALL, searchPath: options.searchPath });
  return { server: found['redis-server'], cli: found['redis-cli'] };
};
