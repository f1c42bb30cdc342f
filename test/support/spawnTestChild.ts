// Spawns a test's server process (redis-server, prometheus) so that it dies with the test process and its exit can be awaited.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * On Linux, `setpriv --pdeathsig KILL` (util-linux) makes the kernel kill the child when the test process dies,
 * even by SIGKILL, when no 'exit' handler runs; it execs, so the pid is still the child's own.
 */
const deathSignalPrefix = (): string[] => {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
  if (setpriv === undefined) return [];
  const supported = spawnSync(setpriv, ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' }).status === 0;
  return supported ? [setpriv, '--pdeathsig', 'KILL', '--'] : [];
};

export interface TestChild {
  child: ChildProcess;
  /** Resolves when the process has exited (and been reaped), or failed to spawn. */
  exited: Promise<void>;
  hasExited(): boolean;
  /** Why it could not be spawned, when that is how it ended. */
  spawnError(): Error | undefined;
}

/** `env` replaces the environment (default: this process's). */
export const spawnTestChild = (binary: string, args: readonly string[], stdio: StdioOptions, env?: NodeJS.ProcessEnv): TestChild => {
  const [command = binary, ...prefixArgs] = [...deathSignalPrefix(), binary];
  const child = spawn(command, [...prefixArgs, ...args], { stdio, env: env ?? process.env });
  // A server a test forgot to stop must not keep jest from exiting; the handlers below still kill it.
  child.unref();
  let hasExited = false;
  let spawnError: Error | undefined;
  // A crashed or interrupted jest worker must not leave the server behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => {
    const settle = (): void => {
      hasExited = true;
      process.off('exit', killOnExit);
      resolve();
    };
    child.once('exit', settle);
    child.once('error', (error) => {
      spawnError = error;
      settle();
    });
  });
  return { child, exited, hasExited: () => hasExited, spawnError: () => spawnError };
};
