// `npm run bench:alloc`: bytes allocated per request at c=32 (V8's sampling heap profiler, garbage included), by
// package or gateway folder, to show where the garbage collector's work comes from.
// Knobs: BENCH_ALLOC_S (10), BENCH_ALLOC_CASE (5; 2 or 4). Prints its table; docs/performance.md cites it by hand.
import { existsSync, rmSync } from 'node:fs';
import { summariseAllocations, allocSamplePath } from './lib/allocProfile';
import { runLoad } from './lib/load';
import { childScript } from './lib/paths';
import { fmt } from './lib/stats';
import { numberEnv, runMain, sleep, stamp, writeResult } from './lib/settings';
import { CASES, probe, startTestbed } from './lib/testbed';

const alloc = async (): Promise<void> => {
  const durationS = numberEnv('BENCH_ALLOC_S', 10, 1, 600);
  const caseNumber = numberEnv('BENCH_ALLOC_CASE', 5, 2, 5);
  const id = CASES.find((c) => c.number === caseNumber)?.id;
  if (id === undefined || id === 'axios-baseline') throw new Error('BENCH_ALLOC_CASE must be 2, 4 or 5');
  const testbed = await startTestbed({ redis: true });
  const sut = await testbed.startSut(id, { execArgv: ['--require', childScript('processes/allocSampler.js')] });
  const spec = testbed.requestFor(id);
  const first = await probe(sut.url, spec);
  if (first.status !== 200) throw new Error(`gateway answered ${first.status}: ${first.body.slice(0, 300)}`);
  await runLoad({ origin: sut.url, ...spec, connections: 32, durationS: 3 });
  const file = allocSamplePath(sut.pid);
  rmSync(file, { force: true });
  process.kill(sut.pid, 'SIGUSR2');
  const result = await runLoad({ origin: sut.url, ...spec, connections: 32, durationS });
  process.kill(sut.pid, 'SIGUSR2');
  for (let waited = 0; !existsSync(file); waited += 100) {
    if (waited > 30_000) throw new Error('the gateway wrote no allocation profile');
    await sleep(100);
  }
  await sut.stop();
  await testbed.stop();
  const summary = summariseAllocations(file, result.ok + result.non2xx);
  rmSync(file, { force: true });
  const lines = [
    `Case ${caseNumber} at c=32 for ${durationS} s under the sampling heap profiler: ${result.ok} responses (${fmt(result.rps, 0)} req/s).`,
    `Allocated per request: ${fmt(summary.bytesPerRequest / 1024, 1)} KiB.`,
    '',
    '| group | KiB per request | share |',
    '|---|---:|---:|',
    ...summary.byGroup.slice(0, 20).map((g) => `| ${g.group} | ${fmt(g.bytesPerRequest / 1024, 1)} | ${fmt(100 * g.share, 1)}% |`),
  ];
  console.log(lines.join('\n'));
  console.log(`\nraw results: ${writeResult(`alloc-${stamp()}.json`, { kind: 'alloc', caseId: id, durationS, requests: result.ok + result.non2xx, summary })}`);
};

runMain(alloc);
