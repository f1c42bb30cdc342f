// A throw-away redis-server on a free 127.0.0.1 port, without persistence. A small sh wrapper holds it: when the
// bench's pipe to the wrapper closes (bench done, or killed), the wrapper kills redis-server, so it never outlives us.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../test/support/isAlive';
import { ensureRedisInstalled, freePort, throwAwayServerArgs } from '../../test/support/redis';

export interface RedisServer {
  url: string;
  port: number;
  /** redis-server's own pid (not the wrapper's). */
  pid: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const WRAPPER = '"$REDIS_SERVER" "$@" & pid=$!; echo "bench-redis-pid $pid"; trap \'kill $pid 2>/dev/null\' EXIT; read -r _line || true';

const processGone = async (pid: number): Promise<void> => {
  for (let i = 0; i < 100; i += 1) {
    if (!isAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

const launch = (port: number, dir: string): Promise<RedisServer> =>
  new Promise((resolve, reject) => {
    // Logging to stdout, which the wrapper's pipe carries: readiness and failures are read there.
    const args = throwAwayServerArgs(port, dir);
    // The same binary the tests use, installed the same way (Debian's package) where it is missing.
    const env = { ...process.env, REDIS_SERVER: ensureRedisInstalled().server };
    const wrapper: ChildProcessWithoutNullStreams = spawn('sh', ['-c', WRAPPER, 'bench-redis', ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let output = '';
    let pid: number | undefined;
    let settled = false;
    const wrapperExited = new Promise<void>((done) => wrapper.once('exit', () => done()));
    const stop = async (): Promise<void> => {
      wrapper.stdin.end();
      await wrapperExited;
      if (pid !== undefined) await processGone(pid);
    };
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`redis-server on port ${port}: ${reason}\n${output.trim().split('\n').slice(-5).join('\n')}`)));
    };
    const timer = setTimeout(() => fail(`not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    const onOutput = (chunk: Buffer): void => {
      if (settled) return;
      output += chunk.toString();
      pid ??= Number(/bench-redis-pid (\d+)/.exec(output)?.[1]) || undefined;
      if (/Address already in use|FATAL|Fatal error/i.test(output)) fail('failed to start');
      else if (pid !== undefined && output.includes('Ready to accept connections')) {
        settled = true;
        clearTimeout(timer);
        resolve({ url: `redis://127.0.0.1:${port}`, port, pid, stop });
      }
    };
    wrapper.stdout.on('data', onOutput);
    wrapper.stderr.on('data', onOutput);
    wrapper.once('error', (error) => fail(error.message));
    wrapper.once('exit', () => fail('exited'));
  });

export const startRedisServer = async (): Promise<RedisServer> => {
  const dir = mkdtempSync(join(tmpdir(), 'drs-bench-redis-'));
  let lastError: unknown;
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    try {
      const redis = await launch(await freePort(), dir);
      return {
        ...redis,
        stop: async () => {
          await redis.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
};
