// `npm run bench:streams`: other callers' result-query p50 quiet, then while one caller floods the gateway (case 5) with
// BENCH_FLOOD_STREAMS progress streams for BENCH_FLOOD_S seconds; once with the default stream caps, once with caps
// high enough to hold every stream open. Reports the ratio (issue #9 target: ≤ 2×). Never writes the docs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './lib/children';
import { meterHostLoad, type HostLoad } from './lib/hostLoad';
import { runLoad, type LoadResult } from './lib/load';
import { describeMachine } from './lib/machine';
import { childScript } from './lib/paths';
import { fmt } from './lib/stats';
import { numberEnv, QUICK, runMain, sleep, stamp, writeResult } from './lib/settings';
import { PROJECT, probe, startTestbed, type Testbed } from './lib/testbed';

/** The flood watches its own job, which DRS (a simulator fault) reports half-done for as long as the bench runs. */
const FLOOD_JOB = 'f100d000-1111-4222-8333-44444444jb77';
const FLOOD_CALLER = 'flooding-caller';
const TARGET_RATIO = 2;
const WARM_UP_S = 3;

interface Variant {
  name: string;
  env: Record<string, string>;
}

interface VariantResult {
  variant: string;
  quiet: LoadResult;
  flood: LoadResult;
  ratio: number;
  flooder: { attempts: number; opened: number; refused: number; otherStatus: number; failed: number; maxOpen: number };
  hostLoad: { quiet: HostLoad; flood: HostLoad };
}

const VARIANTS: Variant[] = [
  { name: 'default caps (20 per caller, 100 per IP)', env: {} },
  { name: 'caps above the flood (5000 per caller and IP)', env: { PRECHECK_STREAMS_PER_CALLER: '5000', PRECHECK_STREAMS_PER_IP: '5000' } },
];

const holdFloodJobHalfDone = async (testbed: Testbed): Promise<void> => {
  const body = { results: [{ precheck_id: FLOOD_JOB, process: '50%', total_passed_rate: '100%', result: false }], count: 1 };
  const response = await fetch(`${testbed.simulator.url}/__sim/faults`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ drs: { kind: 'status', status: 200, body, route: 'batch-precheck-result', job: FLOOD_JOB } }),
  });
  if (response.status !== 200) throw new Error(`simulator refused the flood fault: ${response.status} ${await response.text()}`);
};

const runVariant = async (testbed: Testbed, variant: Variant, settings: { connections: number; quietS: number; floodS: number; rampS: number; streams: number }): Promise<VariantResult> => {
  const sut: Child = await testbed.startSut('gateway-redis', { env: variant.env });
  const statsDir = mkdtempSync(join(tmpdir(), 'drs-bench-flood-'));
  let flooder: Child | undefined;
  try {
    const spec = testbed.requestFor('gateway-redis');
    const first = await probe(sut.url, spec);
    if (first.status !== 200) throw new Error(`gateway answered ${first.status}: ${first.body.slice(0, 300)}`);
    const load = (durationS: number) => runLoad({ origin: sut.url, ...spec, connections: settings.connections, durationS });
    const pids = () => [process.pid, sut.pid, testbed.simulator.pid, ...(testbed.redis ? [testbed.redis.pid] : []), ...(flooder ? [flooder.pid] : [])];

    // Unmeasured: the gateway's first seconds (JIT, connection pools) would otherwise make the quiet figure the slow one.
    await load(WARM_UP_S);
    console.log(`  ${variant.name}: quiet ${settings.quietS} s at c=${settings.connections}`);
    const quietMeter = meterHostLoad(pids);
    const quiet = await load(settings.quietS);
    const quietHost = quietMeter.stop();

    console.log(`  ${variant.name}: flood of ${settings.streams} streams for ${settings.floodS} s, measured after ${settings.rampS} s`);
    const statsFile = join(statsDir, 'flood.json');
    flooder = await startChild('stream-flooder', childScript('processes/streamFlooder.js'), {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        BENCH_FLOOD_URL: `${sut.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${FLOOD_JOB}`,
        BENCH_FLOOD_TOKEN: testbed.tokenFor(FLOOD_CALLER),
        BENCH_FLOOD_STREAMS: String(settings.streams),
        BENCH_FLOOD_STATS: statsFile,
      },
    });
    await sleep(settings.rampS * 1000);
    const floodMeter = meterHostLoad(pids);
    const flood = await load(settings.floodS - settings.rampS);
    const floodHost = floodMeter.stop();
    await flooder.stop();
    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as VariantResult['flooder'];
    return { variant: variant.name, quiet, flood, ratio: flood.latencyMs.p50 / quiet.latencyMs.p50, flooder: stats, hostLoad: { quiet: quietHost, flood: floodHost } };
  } finally {
    await flooder?.stop();
    await sut.stop();
    rmSync(statsDir, { recursive: true, force: true });
  }
};

const main = async (): Promise<void> => {
  const settings = {
    connections: numberEnv('BENCH_FLOOD_C', 4, 1, 256),
    quietS: numberEnv('BENCH_FLOOD_QUIET_S', QUICK ? 5 : 10, 2, 600),
    floodS: numberEnv('BENCH_FLOOD_S', QUICK ? 10 : 30, 5, 600),
    rampS: 5,
    streams: numberEnv('BENCH_FLOOD_STREAMS', QUICK ? 500 : 2000, 1, 20_000),
  };
  const machine = describeMachine();
  console.log(`stream flood: other callers at c=${settings.connections}; one caller opens ${settings.streams} streams`);
  const testbed = await startTestbed({ redis: true });
  const results: VariantResult[] = [];
  try {
    await holdFloodJobHalfDone(testbed);
    for (const variant of VARIANTS) results.push(await runVariant(testbed, variant, settings));
  } finally {
    await testbed.stop();
  }

  const file = writeResult(`stream-flood-${stamp()}.json`, { machine, settings, results });
  console.log('\n| flood | quiet p50 (ms) | flood p50 (ms) | ratio (≤ 2×) | quiet / flood p99 (ms) | other callers req/s quiet / flood | streams opened / refused (429) / most open at once | others\' CPU load quiet / flood (cores) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.variant} | ${fmt(r.quiet.latencyMs.p50, 2)} | ${fmt(r.flood.latencyMs.p50, 2)} | ${fmt(r.ratio, 2)}× ${r.ratio <= TARGET_RATIO ? 'met' : 'not met'} | ` +
        `${fmt(r.quiet.latencyMs.p99, 2)} / ${fmt(r.flood.latencyMs.p99, 2)} | ${fmt(r.quiet.rps, 0)} / ${fmt(r.flood.rps, 0)} | ` +
        `${r.flooder.opened} / ${r.flooder.refused} / ${r.flooder.maxOpen} | ${fmt(r.hostLoad.quiet.foreignCores, 2)} / ${fmt(r.hostLoad.flood.foreignCores, 2)} |`,
    );
  }
  console.log(`\nresults: ${file}`);
};

runMain(main);
