// Runs the built `drs-gateway` command (dist/cli/main.js) as a child process and waits for it: its exit status and both outputs.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export const CLI = join(__dirname, '../../dist/cli/main.js');

/** What a child gets besides the test's settings: nothing of the test process's own environment (jest's NODE_ENV=test). */
export const CHILD_BASE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A child still running after `timeoutMs` is killed (and waited for), and the run then fails the test. */
export const runBuiltCli = async (args: readonly string[], env: Record<string, string>, timeoutMs = 20_000): Promise<CliRun> => {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...CHILD_BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const closed = once(child, 'close');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [status] = (await closed) as [number | null];
  clearTimeout(timer);
  if (child.signalCode === 'SIGKILL') throw new Error(`drs-gateway ${args.join(' ')} was still running after ${timeoutMs} ms`);
  return { status, ...out };
};
