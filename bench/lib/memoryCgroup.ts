// A memory cgroup with the Deployment's limit around a measured gateway, so that it meets what its pod gives it: node
// sizes its heap from the cgroup's limit (268 MB under 320Mi with the image's flags; 4 GB on this 24 GB machine), and
// the kernel enforces the limit.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../test/support/isAlive';

export interface MemoryCgroup {
  dir: string;
  limitMib: number;
  /** How to start `command args` inside the cgroup: a shell that moves itself in, then execs the command (same PID). */
  wrap(command: string, args: readonly string[]): { command: string; args: string[] };
  /** Removes the cgroup (again: nothing); every process in it must have exited. */
  remove(): void;
}

export type MemoryCgroupResult = { cgroup: MemoryCgroup } | { unavailable: string };

/** `command args` as it is started: inside `cgroup` when there is one, as it is otherwise. */
export const launchIn = (cgroup: MemoryCgroup | undefined, command: string, args: readonly string[]): { command: string; args: string[] } =>
  cgroup?.wrap(command, args) ?? { command, args: [...args] };

const ENTER = 'echo $$ > "$0" && exec "$@"';

interface Layout {
  base: string;
  limitFile: string;
}

/** Where this process's memory controller lives: cgroup v1's memory hierarchy if mounted, else the unified one. */
const layoutOf = (procSelfCgroup: string): Layout | string => {
  const lines = procSelfCgroup.split('\n');
  const v1 = lines.map((line) => /^\d+:([^:]*):(.*)$/.exec(line)).find((match) => match?.[1]?.split(',').includes('memory'));
  if (v1?.[2] !== undefined && existsSync('/sys/fs/cgroup/memory')) {
    return { base: join('/sys/fs/cgroup/memory', v1[2]), limitFile: 'memory.limit_in_bytes' };
  }
  const v2 = lines.map((line) => /^0::(.*)$/.exec(line)).find((match) => match !== null);
  if (v2?.[1] !== undefined && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    return { base: join('/sys/fs/cgroup', v2[1]), limitFile: 'memory.max' };
  }
  return 'no memory cgroup controller is mounted';
};

/** A run killed before its children exited leaves its (empty) cgroup behind; the next run removes it. */
const removeStale = (base: string, name: string): void => {
  for (const entry of readdirSync(base)) {
    const pid = new RegExp(`^${name}-(\\d+)$`).exec(entry)?.[1];
    if (pid === undefined || isAlive(Number(pid))) continue;
    try {
      rmdirSync(join(base, entry));
    } catch {
      // Still holding a process that outlived its run: left for whoever owns it.
    }
  }
};

/** Creates `<name>-<our pid>` under our own cgroup with `limitMib`, or says why it cannot (not root, no controller). */
export const createMemoryCgroup = (name: string, limitMib: number): MemoryCgroupResult => {
  const layout = layoutOf(readFileSync('/proc/self/cgroup', 'utf8'));
  if (typeof layout === 'string') return { unavailable: layout };
  removeStale(layout.base, name);
  const dir = join(layout.base, `${name}-${process.pid}`);
  try {
    mkdirSync(dir);
  } catch (error) {
    return { unavailable: `cannot create ${dir}: ${(error as Error).message}` };
  }
  const remove = (): void => {
    if (existsSync(dir)) rmdirSync(dir);
  };
  try {
    writeFileSync(join(dir, layout.limitFile), String(limitMib * 2 ** 20));
    // Without swap accounting limited too, a cgroup at its limit would swap where a pod is OOM-killed.
    const swapLimit = join(dir, 'memory.memsw.limit_in_bytes');
    if (existsSync(swapLimit)) writeFileSync(swapLimit, String(limitMib * 2 ** 20));
  } catch (error) {
    remove();
    return { unavailable: `cannot limit ${dir}: ${(error as Error).message}` };
  }
  return {
    cgroup: {
      dir,
      limitMib,
      wrap: (command, args) => ({ command: '/bin/sh', args: ['-c', ENTER, join(dir, 'cgroup.procs'), command, ...args] }),
      remove,
    },
  };
};
