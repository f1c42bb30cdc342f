// `npm run bench:idempotency`: what replica acknowledgements (redis.waitReplicas, Redis WAIT) cost a start. The
// gateway (case 5, real Redis master + one replica) takes batch-precheck with a fresh Idempotency-Key per request,
// alternately with waitReplicas 0 and 1 in each repeat, so a busy neighbour weighs on both alike.
// Knobs: BENCH_DURATION_S (10), BENCH_REPEATS (3), BENCH_IDEMPOTENCY_C (16), BENCH_QUICK=1 (3 s, 1 repeat).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendRedisCommand } from '../test/support/redis';
import { meterHostLoad } from './lib/hostLoad';
import { runLoad, type LoadResult } from './lib/load';
import { describeMachine } from './lib/machine';
import { startRedisServer } from './lib/redis';
import { numberEnv, QUICK, runMain, sleep, stamp, writeResult } from './lib/settings';
import { median } from './lib/stats';
import { JOB, PROJECT, probe, startTestbed } from './lib/testbed';

interface Run {
  replicas: number;
  repeat: number;
  load: LoadResult;
  foreignCores: number;
}

const main = async (): Promise<void> => {
  const durationS = QUICK ? 3 : numberEnv('BENCH_DURATION_S', 10, 1, 600);
  const repeats = QUICK ? 1 : numberEnv('BENCH_REPEATS', 3, 1, 20);
  const connections = numberEnv('BENCH_IDEMPOTENCY_C', 16, 1, 1024);
  const machine = describeMachine();
  const testbed = await startTestbed({ redis: true });
  const replica = await startRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'drs-bench-idem-'));
  try {
    const master = testbed.redis;
    if (master === undefined) throw new Error('the testbed started without Redis');
    await sendRedisCommand(replica.port, ['REPLICAOF', '127.0.0.1', String(master.port)]);
    for (let i = 0; (await sendRedisCommand(replica.port, ['INFO', 'replication'])).includes('master_link_status:up') === false; i += 1) {
      if (i > 100) throw new Error('the replica did not sync');
      await sleep(100);
    }
    const configFor = (replicas: number): string => {
      const file = join(dir, `wait-${replicas}.yaml`);
      writeFileSync(file, `redis:\n  waitReplicas: ${replicas}\n`);
      return file;
    };
    const base = testbed.requestFor('gateway-redis');
    const spec = { path: `/v3/${PROJECT}/jobs/batch-precheck`, headers: base.headers, body: JSON.stringify({ jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] }) };
    const runs: Run[] = [];
    console.log(`bench:idempotency: ${durationS} s × 2 settings × ${repeats} repeat(s) at c=${connections}`);
    for (let repeat = 1; repeat <= repeats; repeat += 1) {
      for (const replicas of [0, 1]) {
        const sut = await testbed.startSut('gateway-redis', { env: { GATEWAY_CONFIG: configFor(replicas) } });
        try {
          const first = await probe(sut.url, { ...spec, headers: { ...spec.headers, 'Idempotency-Key': randomUUID() } });
          if (first.status !== 200) throw new Error(`the gateway answered ${first.status}: ${first.body.slice(0, 300)}`);
          const meter = meterHostLoad(() => [process.pid, sut.pid, testbed.simulator.pid]);
          const load = await runLoad({ origin: sut.url, ...spec, connections, durationS, perRequestHeaders: () => ({ 'Idempotency-Key': randomUUID() }) });
          runs.push({ replicas, repeat, load, foreignCores: meter.stop().foreignCores });
          console.log(`  waitReplicas ${replicas}, repeat ${repeat}: ${load.rps.toFixed(0)} starts/s, p50 ${load.latencyMs.p50.toFixed(2)} ms, p99 ${load.latencyMs.p99.toFixed(2)} ms, non-2xx ${load.non2xx}, others used ${runs.at(-1)?.foreignCores.toFixed(2)} cores`);
        } finally {
          await sut.stop();
        }
      }
    }
    const summary = [0, 1].map((replicas) => {
      const mine = runs.filter((run) => run.replicas === replicas);
      return {
        waitReplicas: replicas,
        rps: median(mine.map((run) => run.load.rps)),
        p50: median(mine.map((run) => run.load.latencyMs.p50)),
        p99: median(mine.map((run) => run.load.latencyMs.p99)),
        non2xx: mine.reduce((sum, run) => sum + run.load.non2xx, 0),
        foreignCores: median(mine.map((run) => run.foreignCores)),
      };
    });
    console.log('\n| waitReplicas | starts/s (median) | p50 ms | p99 ms | non-2xx | other processes (cores) |\n|---|---|---|---|---|---|');
    for (const row of summary) console.log(`| ${row.waitReplicas} | ${row.rps.toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.non2xx} | ${row.foreignCores.toFixed(2)} |`);
    console.log(`\nresults: ${writeResult(`idempotency-${stamp()}.json`, { kind: 'idempotency', machine, settings: { durationS, repeats, connections }, runs, summary })}`);
  } finally {
    await replica.stop();
    await testbed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};

runMain(main);
