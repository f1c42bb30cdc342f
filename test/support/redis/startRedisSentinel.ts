// Starts a throw-away Redis Sentinel on a free 127.0.0.1 port, monitoring a master the test already runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRedisInstalled } from './ensureRedisInstalled';
import { freePort } from './freePort';
import { spawnRedisServer, type RedisChild } from './spawnRedisServer';

export interface RedisSentinelProcess {
  host: '127.0.0.1';
  port: number;
  /** The monitored master's name, as clients ask for it. */
  name: string;
  pid(): number | undefined;
  stop(): Promise<void>;
}

const START_ATTEMPTS = 5;

export const startRedisSentinel = async (master: { port: number; password?: string }, name = 'gateway-master'): Promise<RedisSentinelProcess> => {
  const { server } = ensureRedisInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'drs-redis-sentinel-'));
  const logFile = join(dir, 'sentinel.log');
  let child: RedisChild | undefined;
  let port = 0;
  try {
    for (let attempt = 1; child === undefined; attempt += 1) {
      port = await freePort();
      // Sentinel rewrites its config file, so each start gets a fresh one in the temp dir.
      const config = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir}`,
          `logfile ${logFile}`,
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
          ...(master.password === undefined ? [] : [`sentinel auth-pass ${name} ${master.password}`]),
          '',
        ].join('\n'),
      );
      try {
        child = await spawnRedisServer({ server, port, logFile, args: [config, '--sentinel'] });
      } catch (error) {
        if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= START_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let current: RedisChild | undefined = child;
  return {
    host: '127.0.0.1',
    port,
    name,
    pid: () => current?.pid,
    stop: async () => {
      await current?.kill();
      current = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
