// Where the repository, its compiled gateway and the bench outputs are, wherever the compiled harness runs from.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const findRoot = (from: string): string => {
  let dir = from;
  for (let depth = 0; depth < 12; depth += 1) {
    if (existsSync(join(dir, 'tsconfig.build.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`bench: no repository root above ${from}`);
};

export const ROOT = findRoot(__dirname);
/** The production build (`npm run build`): every system under test runs from here. */
export const DIST = join(ROOT, 'dist');
/** The compiled harness (bench/tsconfig.json). */
export const BENCH_BUILD = join(ROOT, 'bench', 'node_modules', '.build', 'bench');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
export const PERFORMANCE_DOC = join(ROOT, 'docs', 'performance.md');

export const childScript = (name: string): string => join(BENCH_BUILD, name);
