// Parent side of the child processes: fork, wait for `ready`, ask for usage, stop; nothing outlives the bench.
import { fork, type ChildProcess } from 'node:child_process';
import type { FromChild, ToChild, Usage } from './ipc';
import { launchIn, type MemoryCgroup } from './memoryCgroup';

export interface Child {
  name: string;
  pid: number;
  url: string;
  /** The child's own counters; `gc` first forces a collection (needs --expose-gc). */
  usage(options?: { gc?: boolean }): Promise<Usage>;
  /** Asks for a clean stop (profiles and logs get flushed), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const USAGE_TIMEOUT_MS = 10_000;
const live = new Set<ChildProcess>();

/** Last resort (process exit, signals): SIGKILL whatever is still running. */
export const killAllChildren = (): void => {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
};
process.on('exit', killAllChildren);

export interface StartChildOptions {
  args?: string[];
  env: Record<string, string>;
  execArgv?: string[];
  /** Started inside this cgroup (as its pod would be), node's flags unchanged. */
  cgroup?: MemoryCgroup;
}

export const startChild = (name: string, script: string, options: StartChildOptions): Promise<Child> =>
  new Promise((resolve, reject) => {
    const launch = launchIn(options.cgroup, process.execPath, options.execArgv ?? []);
    const child = fork(script, options.args ?? [], {
      env: options.env,
      execPath: launch.command,
      execArgv: launch.args,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    live.add(child);
    let ready = false;
    let nextId = 1;
    const pending = new Map<number, { resolve: (usage: Usage) => void; reject: (error: Error) => void }>();
    const exited = new Promise<void>((settle) => child.once('exit', () => settle()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: not ready within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);

    child.on('message', (message: FromChild) => {
      if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${name} failed to start:\n${message.message}`));
      } else if (message.type === 'usage') {
        pending.get(message.id)?.resolve(message.usage);
        pending.delete(message.id);
      } else if (!ready) {
        ready = true;
        clearTimeout(timer);
        resolve(handle(message.url));
      }
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      clearTimeout(timer);
      const error = new Error(`${name} exited (code ${code ?? '-'}, signal ${signal ?? '-'})`);
      if (!ready) reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });

    const request = (message: ToChild): void => {
      if (child.connected) child.send(message);
    };
    const handle = (url: string): Child => ({
      name,
      pid: child.pid as number,
      url,
      usage: (usageOptions = {}) =>
        new Promise<Usage>((resolveUsage, rejectUsage) => {
          const id = nextId;
          nextId += 1;
          const usageTimer = setTimeout(() => {
            pending.delete(id);
            rejectUsage(new Error(`${name}: no usage answer within ${USAGE_TIMEOUT_MS} ms`));
          }, USAGE_TIMEOUT_MS);
          pending.set(id, {
            resolve: (usage) => {
              clearTimeout(usageTimer);
              resolveUsage(usage);
            },
            reject: (error) => {
              clearTimeout(usageTimer);
              rejectUsage(error);
            },
          });
          request({ type: 'usage', id, ...(usageOptions.gc === true && { gc: true }) });
        }),
      async stop(graceMs = 15_000) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        request({ type: 'stop' });
        const timeout = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timeout);
      },
    });
  });
