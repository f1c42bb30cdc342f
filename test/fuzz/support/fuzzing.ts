// Runs a fuzz target's property with a bounded number of runs and replays its kept corpus (Envoy's practice).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

/** One kept input: what it is (a seed, or the bug it found and where that was fixed) and the input itself. */
export interface CorpusEntry<T> {
  note: string;
  /** `bug`: this input once broke a property; `seed`: a hand-picked nasty input (named after the test it comes from). */
  kind: 'bug' | 'seed';
  input: T;
}

const CORPUS_DIR = join(__dirname, '..', 'corpus');

const loadCorpus = <T>(target: string): Array<CorpusEntry<T>> =>
  JSON.parse(readFileSync(join(CORPUS_DIR, `${target}.json`), 'utf8')) as Array<CorpusEntry<T>>;

/** One test per kept input of `target`, named by its note, each run through the same check as the random inputs. */
export const replayCorpus = <T>(target: string, check: (input: T) => unknown): void => {
  for (const { kind, note, input } of loadCorpus<T>(target)) it(`${kind}: ${note}`, async () => void (await check(input)));
};

/**
 * Runs per property: the target's own default in `npm test`, or FUZZ_RUNS for a longer campaign
 * (`FUZZ_RUNS=20000 npx jest test/fuzz test/component/fuzz`). FUZZ_SEED replays a reported run.
 */
export const fuzzParameters = (defaultRuns: number): { numRuns: number; seed?: number } => {
  const runs = Number(process.env.FUZZ_RUNS);
  const seed = Number(process.env.FUZZ_SEED);
  return { numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns, ...(Number.isInteger(seed) ? { seed } : {}) };
};

/**
 * A property's time limit: its default runs take seconds, but a loaded 2-core machine can make that ten times longer,
 * and FUZZ_RUNS campaigns take as long as they need.
 */
export const FUZZ_TIMEOUT_MS = process.env.FUZZ_RUNS ? 3_600_000 : 120_000;

/** Like fc.assert, but a failure also prints the shrunk input as a ready corpus entry, so keeping it is one paste. */
export const assertFuzz = async <T>(target: string, property: fc.IAsyncPropertyWithHooks<[T]> | fc.IPropertyWithHooks<[T]>, defaultRuns: number): Promise<void> => {
  const parameters = fuzzParameters(defaultRuns);
  const details = await fc.check(property as fc.IAsyncProperty<[T]>, parameters);
  if (!details.failed) return;
  const input = details.counterexample?.[0];
  const entry = JSON.stringify({ note: 'what it found, and the fix', kind: 'bug', input }, null, 2);
  const cause = details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  throw new Error(
    `${target}: property failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}").\n` +
      `${cause.message}\nAdd it to test/fuzz/corpus/${target}.json:\n${entry}`,
    { cause },
  );
};
