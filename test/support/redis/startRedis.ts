// Starts a throw-away standalone redis-server on a free 127.0.0.1 port, with controls to kill, freeze and restart it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisInstalled } from './ensureRedisInstalled';
import { freePort } from './freePort';
import { spawnRedisServer, throwAwayServerArgs, type RedisChild } from './spawnRedisServer';

export interface RedisProcess {
  host: '127.0.0.1';
  port: number;
  /** `redis://127.0.0.1:N`, or `redis://:password@127.0.0.1:N` when started with a password. */
  url: string;
  /** The running server's pid; undefined while it is killed or stopped. */
  pid(): number | undefined;
  /** Kills the server and removes its files; safe to call twice or after kill(). */
  stop(): Promise<void>;
  /** A fresh, empty process on the same port (empty data and script cache), killing the current one first. */
  restart(): Promise<void>;
  /** Abrupt SIGKILL, as in "Redis died mid-load"; restart() brings it back. */
  kill(): Promise<void>;
  /** SIGSTOP: the port still accepts connections but nothing is answered, as in a hung server or a network partition. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

const START_ATTEMPTS = 5;

export const startRedis = async (options: { port?: number; password?: string } = {}): Promise<RedisProcess> => {
  const { server } = ensureRedisInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'drs-redis-'));
  const logFile = join(dir, 'redis.log');
  const launch = (port: number): Promise<RedisChild> =>
    spawnRedisServer({
      server,
      port,
      logFile,
      args: [
        ...throwAwayServerArgs(port, dir, logFile),
        ...(options.password === undefined ? [] : ['--requirepass', options.password]),
      ],
    });

  let port = options.port ?? (await freePort());
  let child: RedisChild | undefined;
  for (let attempt = 1; child === undefined; attempt += 1) {
    try {
      child = await launch(port);
    } catch (error) {
      // Another process may take a port between freePort() and the bind; a port the caller chose is not swapped.
      const raced = (error as { code?: string }).code === 'EADDRINUSE' && options.port === undefined && attempt < START_ATTEMPTS;
      if (!raced) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }

  let current: RedisChild | undefined = child;
  let stopped = false;
  const signal = (name: NodeJS.Signals): void => {
    if (current !== undefined) process.kill(current.pid, name);
  };
  const credentials = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;

  return {
    host: '127.0.0.1',
    port,
    url: `redis://${credentials}127.0.0.1:${port}`,
    pid: () => current?.pid,
    kill: async () => {
      await current?.kill();
      current = undefined;
    },
    restart: async () => {
      if (stopped) throw new Error('restart() after stop(): start a new Redis instead');
      await current?.kill();
      current = undefined;
      current = await launch(port);
    },
    stop: async () => {
      stopped = true;
      await current?.kill();
      current = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
};
