// Environment knobs shared by the bench scripts, result files, and the signal handling that leaves nothing behind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killAllChildren } from './children';
import { RESULTS_DIR } from './paths';

export const QUICK = process.env.BENCH_QUICK === '1';

/** docs/performance.md is written by full runs; a BENCH_QUICK run only when BENCH_WRITE_DOCS=1. */
export const WRITE_DOCS = process.env.BENCH_WRITE_DOCS === undefined ? !QUICK : process.env.BENCH_WRITE_DOCS === '1';

export const numberEnv = (name: string, fallback: number, min: number, max: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return value;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const stamp = (): string => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);

export const writeResult = (name: string, data: unknown): string => {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, name);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
};

export const mb = (bytes: number): number => bytes / 2 ** 20;

/** Ctrl-C or a kill: SIGKILL the children (redis-server goes with its wrapper's pipe) and exit. */
export const exitOnSignals = (): void => {
  const bail = (signal: NodeJS.Signals): void => {
    console.error(`\nbench: ${signal}, stopping children`);
    killAllChildren();
    process.exit(130);
  };
  process.once('SIGINT', bail);
  process.once('SIGTERM', bail);
};

/** Runs a script's main, reporting a failure with exit code 1; the exit handler kills every child. */
export const runMain = (main: () => Promise<void>): void => {
  exitOnSignals();
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('bench failed:', error instanceof Error ? error.stack ?? error.message : error);
      process.exit(1);
    },
  );
};
