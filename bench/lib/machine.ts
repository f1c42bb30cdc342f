// What the figures were measured on: CPU model, cores, memory, Node, redis-server, autocannon, date.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { ROOT } from './paths';

export interface Machine {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  redis: string;
  autocannon: string;
  /** Commit measured, with "+dirty" when the working tree had changes (as it does mid-work). */
  revision: string;
}

const cpuModel = (): string => {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
};

const redisVersion = (): string => {
  try {
    return /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'not found';
  }
};

const revision = (): string => {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty src` : head;
  } catch {
    return 'unknown';
  }
};

export const describeMachine = (): Machine => ({
  date: new Date().toISOString(),
  cpuModel: cpuModel(),
  cores: os.availableParallelism(),
  memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  redis: redisVersion(),
  revision: revision(),
  autocannon: (createRequire(__filename)('autocannon/package.json') as { version: string }).version,
});
