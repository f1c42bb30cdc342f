// `npm run chaos`: the full experiment (CHAOS_MODE=short for the short one), its report under chaos/out/<time>/.
// CHAOS_WAIT_REPLICAS sets the gateways' redis.waitReplicas (0 shows the double starts it prevents).
import { join } from 'node:path';
import { ROOT } from '../bench/lib/paths';
import { runExperiment } from './experiment';
import { ProcessGroup } from './lib/processes';

const group = new ProcessGroup();
const mode = process.env.CHAOS_MODE === 'short' ? 'short' : 'full';
const outDir = join(ROOT, 'chaos', 'out', `${mode}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);

const bail = (signal: NodeJS.Signals): void => {
  console.error(`\nchaos: ${signal}, stopping every process it started`);
  void group.stopAll(3_000).finally(() => process.exit(130));
};
process.once('SIGINT', bail);
process.once('SIGTERM', bail);

const waitReplicas = process.env.CHAOS_WAIT_REPLICAS === undefined ? undefined : Number(process.env.CHAOS_WAIT_REPLICAS);
if (waitReplicas !== undefined && !(Number.isInteger(waitReplicas) && waitReplicas >= 0)) throw new Error('CHAOS_WAIT_REPLICAS must be a whole number');

runExperiment({ mode, outDir, group, waitReplicas, log: (line) => console.log(`chaos: ${line}`) }).then(
  ({ verdicts, files, notes }) => {
    for (const verdict of verdicts) console.log(`${verdict.pass ? 'PASS' : 'FAIL'}  ${verdict.id}: ${verdict.figures.join('; ')}`);
    for (const note of notes) console.log(`note: ${note}`);
    console.log(`report: ${files.markdown}`);
    process.exit(verdicts.every((verdict) => verdict.pass) ? 0 : 1);
  },
  async (error: unknown) => {
    console.error('chaos failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    await group.stopAll(3_000);
    process.exit(2);
  },
);
