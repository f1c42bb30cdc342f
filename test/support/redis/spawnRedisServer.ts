// Spawns one redis-server (plain, cluster node or sentinel) and resolves once it answers; the child dies with the test process.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { spawnTestChild } from '../spawnTestChild';

export interface RedisChild {
  pid: number;
  /** Resolves when the process has exited (and been reaped). */
  exited: Promise<void>;
  /** SIGKILL, then waits for the exit; a no-op once exited. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;
const POLL_MS = 10;

/** Any reply to PING counts, NOAUTH included: the server is up and serving. */
const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(250, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', () => done(true));
  });

const readLog = (logFile: string): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

/**
 * redis-server logs "Running mode=…, port=N." only after binding its port, and the log file is this process's own:
 * so another process answering on a just-raced port is never taken for this one.
 */
const hasBound = (logFile: string): boolean => readLog(logFile).includes('Running mode=');

const logTail = (logFile: string): string => readLog(logFile).trim().split('\n').slice(-5).join('\n') || '(no log)';

/**
 * Flags every throw-away server shares (the tests' and the chaos run's): loopback only, no persistence, files in its
 * own folder; without `logFile` it logs to stdout, for a caller that captures it.
 */
export const throwAwayServerArgs = (port: number, dir: string, logFile?: string): string[] => [
  '--port', String(port),
  '--bind', '127.0.0.1',
  '--protected-mode', 'no',
  '--save', '',
  '--appendonly', 'no',
  '--dir', dir,
  ...(logFile === undefined ? [] : ['--logfile', logFile]),
];

export const spawnRedisServer = async (options: { server: string; args: readonly string[]; port: number; logFile: string }): Promise<RedisChild> => {
  const { server, args, port, logFile } = options;
  // A restart reuses the log path; the previous process's lines must not vouch for this one.
  rmSync(logFile, { force: true });
  const { child, exited, hasExited, spawnError } = spawnTestChild(server, args, 'ignore');
  const kill = async (): Promise<void> => {
    if (!hasExited()) child.kill('SIGKILL');
    await exited;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (hasExited() || !hasBound(logFile) || !(await answers(port))) {
    if (hasExited()) {
      const log = logTail(logFile);
      const error = new Error(`redis-server on port ${port} did not start: ${spawnError()?.message ?? log}`);
      throw /Address already in use/i.test(log) ? Object.assign(error, { code: 'EADDRINUSE' }) : error;
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`redis-server on port ${port} did not answer within ${READY_TIMEOUT_MS} ms: ${logTail(logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (child.pid === undefined) throw new Error('redis-server started without a pid');
  return { pid: child.pid, exited, kill };
};
