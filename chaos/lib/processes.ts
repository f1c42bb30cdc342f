// Every process the experiment starts: spawned so it dies with us (pdeathsig), logged to its own file, stopped by PID
// with its exit awaited, and any exit nobody asked for recorded as a crash.
import { closeSync, openSync } from 'node:fs';
import { buildSync } from 'esbuild';
import { spawnTestChild } from '../../test/support/spawnTestChild';

export interface Crash {
  name: string;
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export interface Managed {
  name: string;
  pid: number;
  /** Resolves once the process has exited and been reaped. */
  exited: Promise<void>;
  hasExited(): boolean;
  signal(name: NodeJS.Signals): void;
  /** SIGTERM (or `signal`), SIGKILL after `graceMs`, and waits for the exit. An exit asked for is never a crash. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** A process that ends by itself when its work is done: an exit with code 0 is no crash. */
  finishes?: boolean;
}

export class ProcessGroup {
  private readonly live = new Set<Managed>();
  readonly crashes: Crash[] = [];

  start(name: string, binary: string, args: readonly string[], options: StartOptions): Managed {
    // Each child holds an 'exit' listener (spawnTestChild kills it should we die), and a run holds more than the
    // default ten at once.
    process.setMaxListeners(Math.max(process.getMaxListeners(), this.live.size + 11));
    const fd = openSync(options.logFile, 'a');
    const spawned = spawnTestChild(binary, args, ['ignore', fd, fd], options.env);
    closeSync(fd);
    const { child } = spawned;
    if (child.pid === undefined) throw new Error(`${name}: ${spawned.spawnError()?.message ?? 'no pid'}`);
    const pid = child.pid;
    let expected = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.once('exit', (code, signal) => {
      exit = { code, signal };
    });
    const managed: Managed = {
      name,
      pid,
      exited: spawned.exited.then(() => {
        this.live.delete(managed);
        if (!expected && !(options.finishes === true && exit?.code === 0)) this.crashes.push({ name, pid, code: exit?.code ?? null, signal: exit?.signal ?? null, at: Date.now() });
      }),
      hasExited: spawned.hasExited,
      signal: (signal) => {
        if (!spawned.hasExited()) process.kill(pid, signal);
      },
      stop: async ({ signal = 'SIGTERM', graceMs = 20_000 } = {}) => {
        expected = true;
        if (spawned.hasExited()) return;
        process.kill(pid, signal);
        const timer = setTimeout(() => {
          if (!spawned.hasExited()) process.kill(pid, 'SIGKILL');
        }, graceMs);
        await managed.exited;
        clearTimeout(timer);
      },
    };
    this.live.add(managed);
    return managed;
  }

  pids(): number[] {
    return [...this.live].map((managed) => managed.pid);
  }

  /** Stops everything still running, all at once (SIGTERM, SIGKILL after `graceMs`), and waits for every exit. */
  async stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.live].map((managed) => managed.stop({ graceMs })));
  }

  /** Last resort on a signal: SIGKILL by PID, synchronously. */
  killAll(): void {
    for (const managed of this.live) {
      try {
        process.kill(managed.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Bundles a child process's TypeScript entry into one JavaScript file (esbuild), so the child runs alike under jest,
 * which runs the experiment from its sources, and from the compiled harness.
 */
export const bundleScript = (entry: string, outFile: string): string => {
  buildSync({ entryPoints: [entry], outfile: outFile, bundle: true, platform: 'node', target: 'node24', format: 'cjs', logLevel: 'error' });
  return outFile;
};

/** Polls `probe` every 100 ms until it says true, or throws after `timeoutMs`, naming `what`. */
export const waitFor = async (what: string, probe: () => Promise<boolean>, timeoutMs: number, process?: Managed): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process?.hasExited()) throw new Error(`${what}: the process exited`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

export const httpOk = async (url: string): Promise<boolean> => {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.arrayBuffer();
  return response.ok;
};
