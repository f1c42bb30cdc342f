// `npm run bench:soak`: case 5 (gateway, Redis, every feature on) at c=32 for BENCH_SOAK_S seconds (300), RSS and
// heap sampled over IPC every BENCH_SOAK_SAMPLE_S (5), with the gateway's overload state; reports RSS after 100,000
// requests, the growth trend, and the requests shed and log lines dropped. The gateway runs in a memory cgroup with the
// Deployment's limit when the machine allows one, so its heap is sized and its memory bounded as in its pod.
import type { Child } from './lib/children';
import { runLoad, type LiveCounters } from './lib/load';
import { meterHostLoad } from './lib/hostLoad';
import { readCounters, readOverload } from './lib/gatewayFigures';
import { describeMachine } from './lib/machine';
import { renderSoak, updatePerformanceDoc } from './lib/report';
import type { SoakMemory, SoakResults, SoakSample, TargetCheck } from './lib/results';
import { mb, numberEnv, QUICK, runMain, stamp, WRITE_DOCS, writeResult } from './lib/settings';
import { fmt } from './lib/stats';
import { createMemoryCgroup } from './lib/memoryCgroup';
import { deploymentMemoryLimitMib, imageEnv } from './lib/shipped';
import { probe, startTestbed } from './lib/testbed';
import { steadyStartS, trendFrom, trendVerdict } from './lib/trend';

/** What the live heap (after a full GC) may gain from before the load to after it. */
const MAX_LIVE_HEAP_GAIN_MB = 5;
/** Issue #5's target at c=32; BENCH_SOAK_RSS_LIMIT_MB=320 checks a run against the Deployment's memory limit (320Mi). */
const DEFAULT_RSS_LIMIT_MB = 150;
const MILESTONE = 100_000;

const soak = async (): Promise<void> => {
  const durationS = numberEnv('BENCH_SOAK_S', QUICK ? 20 : 300, 5, 7200);
  const connections = numberEnv('BENCH_SOAK_CONNECTIONS', 32, 1, 1024);
  const sampleS = numberEnv('BENCH_SOAK_SAMPLE_S', 5, 1, 60);
  const rssLimitMb = numberEnv('BENCH_SOAK_RSS_LIMIT_MB', DEFAULT_RSS_LIMIT_MB, 50, 4096);
  const steadyFromS = steadyStartS(durationS);
  const machine = describeMachine();
  console.log(`soak: case 5 at c=${connections} for ${durationS} s, sampling every ${sampleS} s`);

  const testbed = await startTestbed({ redis: true });
  const podMemory = createMemoryCgroup('drs-gateway-soak', deploymentMemoryLimitMib());
  const cgroup = 'cgroup' in podMemory ? podMemory.cgroup : undefined;
  const given: SoakMemory['cgroup'] = 'cgroup' in podMemory ? { limitMib: podMemory.cgroup.limitMib } : podMemory;
  console.log('cgroup' in podMemory ? `gateway in ${podMemory.cgroup.dir}, limited to ${podMemory.cgroup.limitMib} MiB` : `gateway not in a memory cgroup: ${podMemory.unavailable}`);
  // --expose-gc only adds global.gc, used once after the load for a post-GC reading.
  // The image's MALLOC_ARENA_MAX, read from the Dockerfile: glibc's arenas shape RSS under overload.
  const sut: Child = await testbed.startSut('gateway-redis', { execArgv: ['--expose-gc'], env: imageEnv(['MALLOC_ARENA_MAX']), cgroup });
  const spec = testbed.requestFor('gateway-redis');
  const first = await probe(sut.url, spec);
  if (first.status !== 200) throw new Error(`gateway answered ${first.status}: ${first.body.slice(0, 300)}`);

  // Once, before any load, so it cannot shape the RSS the load produces.
  const liveBefore = await sut.usage({ gc: true });
  const samples: SoakSample[] = [];
  const live: LiveCounters = { ok: 0 };
  const started = Date.now();
  const sample = async (): Promise<SoakSample> => {
    // Through the loaded listener, so it may wait; a reading it cannot get is left out rather than failing the soak.
    const [usage, overload] = await Promise.all([sut.usage(), readOverload(sut.url).catch(() => undefined)]);
    const entry: SoakSample = {
      tS: (Date.now() - started) / 1000,
      requests: live.ok,
      rssMb: mb(usage.rssBytes),
      heapUsedMb: mb(usage.heapUsedBytes),
      heapTotalMb: mb(usage.heapTotalBytes),
      externalMb: mb(usage.externalBytes),
      ...(overload && { eventLoopDelayMs: overload.eventLoopDelayMs, shedding: overload.shedding }),
    };
    samples.push(entry);
    return entry;
  };

  await sample();
  let at100k: SoakSample | undefined;
  let nextSampleAt = started + sampleS * 1000;
  let sampling = false;
  // Polled often enough to catch the 100,000th request within a fraction of a second.
  const poller = setInterval(() => {
    if (sampling) return;
    const milestone = at100k === undefined && live.ok >= MILESTONE;
    const due = Date.now() >= nextSampleAt;
    if (!milestone && !due) return;
    if (due) nextSampleAt += sampleS * 1000;
    sampling = true;
    sample()
      .then((entry) => {
        if (milestone) at100k = entry;
        if (due) {
          const overload = entry.shedding === undefined ? '' : `, loop delay ${entry.eventLoopDelayMs} ms${entry.shedding ? ', shedding' : ''}`;
          console.log(`t=${fmt(entry.tS, 0)} s: ${entry.requests} requests, RSS ${fmt(entry.rssMb, 1)} MB, heapUsed ${fmt(entry.heapUsedMb, 1)} MB${overload}`);
        }
      })
      .catch((error: unknown) => console.error('sample failed:', error))
      .finally(() => (sampling = false));
  }, 250);
  const ourPids = (): number[] => [process.pid, sut.pid, testbed.simulator.pid, ...(testbed.redis ? [testbed.redis.pid] : [])];
  const meter = meterHostLoad(ourPids);
  const result = await runLoad({ origin: sut.url, ...spec, connections, durationS }, live);
  const hostLoad = meter.stop();
  clearInterval(poller);
  await sample();
  const counters = await readCounters(sut.url);
  const gc = await sut.usage({ gc: true });
  const accessLogBytes = testbed.accessLogBytes();
  await sut.stop();
  const memory: SoakMemory = { cgroup: given, heapSizeLimitMb: mb(gc.heapSizeLimitBytes) };
  cgroup?.remove();
  await testbed.stop();

  const rssTrend = trendFrom(samples, (s) => s.rssMb, steadyFromS);
  const heapUsedTrend = trendFrom(samples, (s) => s.heapUsedMb, steadyFromS);
  const verdicts: TargetCheck[] = [
    at100k
      ? { name: 'RSS after 100,000 requests', required: `< ${rssLimitMb} MB`, measured: `${fmt(at100k.rssMb, 1)} MB`, pass: at100k.rssMb < rssLimitMb }
      : { name: 'RSS after 100,000 requests', required: `< ${rssLimitMb} MB`, measured: `only ${live.ok} requests` },
    trendVerdict('no RSS growth trend', rssTrend, `over ${fmt(durationS - steadyFromS, 0)} s`),
    trendVerdict('no heapUsed growth trend', heapUsedTrend, 'sampled at random points of the GC cycle'),
    {
      name: 'live heap (after a full GC), before the load → after it',
      required: `gains < ${MAX_LIVE_HEAP_GAIN_MB} MB`,
      measured: `${fmt(mb(liveBefore.heapUsedBytes), 1)} → ${fmt(mb(gc.heapUsedBytes), 1)} MB`,
      pass: mb(gc.heapUsedBytes) - mb(liveBefore.heapUsedBytes) < MAX_LIVE_HEAP_GAIN_MB,
    },
    {
      name: 'largest RSS seen',
      required: `< ${rssLimitMb} MB`,
      measured: `${fmt(Math.max(...samples.map((s) => s.rssMb)), 1)} MB`,
      pass: Math.max(...samples.map((s) => s.rssMb)) < rssLimitMb,
    },
  ];
  const results: SoakResults = {
    kind: 'soak',
    machine,
    finishedAt: new Date().toISOString(),
    settings: { durationS, connections, sampleS, steadyFromS },
    load: result,
    samples,
    ...(at100k && { at100k }),
    beforeLoadGc: { rssMb: mb(liveBefore.rssBytes), heapUsedMb: mb(liveBefore.heapUsedBytes) },
    afterGc: { rssMb: mb(gc.rssBytes), heapUsedMb: mb(gc.heapUsedBytes) },
    rssTrend,
    heapUsedTrend,
    verdicts,
    accessLogBytes,
    counters,
    hostLoad,
    memory,
  };
  const file = writeResult(`soak-${stamp()}${QUICK ? '-quick' : ''}.json`, results);
  const markdown = renderSoak(results);
  console.log(`\n${markdown}\n\nraw results: ${file}`);
  if (WRITE_DOCS) {
    updatePerformanceDoc('soak', markdown);
    console.log('docs/performance.md updated');
  }
};

runMain(soak);
