// `npm run bench`: cases 1–5 (see docs/performance.md) at concurrency 1, 32 and 128, interleaved repeats, medians,
// targets, and the report. `npm run bench -- --profile`: CPU profiles of cases 2, 4 and 5 at c=32 instead.
// Knobs: BENCH_DURATION_S (10), BENCH_REPEATS (3), BENCH_QUICK=1 (2 s, 1 repeat), BENCH_PROFILE_S (20), BENCH_PROFILE_C (32),
// BENCH_WRITE_DOCS (1 for full runs, 0 for quick ones); for experiments, BENCH_CASES (e.g. "1,2,5") and
// BENCH_CONCURRENCY (e.g. "1,32") narrow a run, which then never writes the docs.
import { join } from 'node:path';
import type { Child } from './lib/children';
import { summariseProfile } from './lib/cpuProfile';
import { runLoad, type LoadResult } from './lib/load';
import { meterHostLoad, waitForQuiet } from './lib/hostLoad';
import { describeMachine } from './lib/machine';
import { cpuMs, peakRssKb, resetPeakRss } from './lib/proc';
import { RESULTS_DIR } from './lib/paths';
import { renderBench, renderProfile, updatePerformanceDoc } from './lib/report';
import type { BenchResults, CaseSummary, ProfileResults, ProfileRun, RunRecord, TargetCheck } from './lib/results';
import { mb, numberEnv, QUICK, runMain, sleep, stamp, WRITE_DOCS, writeResult } from './lib/settings';
import { fmt, median } from './lib/stats';
import { CASES as ALL_CASES, caseInfo, probe, startTestbed, type CaseId, type Testbed } from './lib/testbed';

const ALL_CONCURRENCY = [1, 32, 128];

/** A comma-separated subset of `all` from the environment, or all of it. */
const subsetEnv = <T>(name: string, all: readonly T[], key: (item: T) => number): readonly T[] => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return all;
  const wanted = raw.split(',').map((part) => Number(part.trim()));
  const picked = all.filter((item) => wanted.includes(key(item)));
  if (picked.length !== wanted.length) throw new Error(`${name} must list some of ${all.map(key).join(', ')}, got "${raw}"`);
  return picked;
};

const CONCURRENCY = subsetEnv('BENCH_CONCURRENCY', ALL_CONCURRENCY, (c) => c);
const CASES = subsetEnv('BENCH_CASES', ALL_CASES, (c) => c.number);
const NARROWED = CONCURRENCY.length !== ALL_CONCURRENCY.length || CASES.length !== ALL_CASES.length;
const PAUSE_MS = 300;
/** Before each run, wait (up to 30 s, 5 min in all) until other processes use under this many cores. */
const QUIET_CORES = 0.3;
const QUIET_WAIT_MS = 30_000;
const QUIET_BUDGET_MS = 300_000;

const cpuTotalMs = (usage: { cpuUserUs: number; cpuSystemUs: number }): number => (usage.cpuUserUs + usage.cpuSystemUs) / 1000;

const canonical = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
};

/** Each process answers one request first: 200 and the simulator's own body, or the bench stops here. */
const checkBodies = async (testbed: Testbed, suts: ReadonlyMap<CaseId, Child>): Promise<Record<string, boolean>> => {
  const reference = await probe(testbed.simulator.url, testbed.requestFor('simulator'));
  if (reference.status !== 200) throw new Error(`simulator answered ${reference.status}: ${reference.body}`);
  const matches: Record<string, boolean> = {};
  for (const [id, sut] of suts) {
    const answer = await probe(sut.url, testbed.requestFor(id));
    if (answer.status !== 200) throw new Error(`${id} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    matches[id] = canonical(answer.body) === canonical(reference.body);
    if (!matches[id]) console.warn(`warning: ${id} answered a different body:\n${answer.body.slice(0, 300)}`);
  }
  return matches;
};

const load = (testbed: Testbed, id: CaseId, sut: Child, connections: number, durationS: number): Promise<LoadResult> =>
  runLoad({ origin: sut.url, ...testbed.requestFor(id), connections, durationS });

const summarise = (runs: readonly RunRecord[]): CaseSummary[] => {
  const out: CaseSummary[] = [];
  for (const connections of CONCURRENCY) {
    for (const info of CASES) {
      const mine = runs.filter((r) => r.caseId === info.id && r.connections === connections);
      if (mine.length === 0) continue;
      const redis = mine.map((r) => r.redisCpuMsPerRequest).filter((v): v is number => v !== undefined);
      out.push({
        caseId: info.id,
        connections,
        runs: mine.length,
        rps: median(mine.map((r) => r.load.rps)),
        p50: median(mine.map((r) => r.load.latencyMs.p50)),
        p90: median(mine.map((r) => r.load.latencyMs.p90)),
        p99: median(mine.map((r) => r.load.latencyMs.p99)),
        addedP50: Number.NaN,
        addedP99: Number.NaN,
        cpuMsPerRequest: median(mine.map((r) => r.cpuMsPerRequest)),
        simulatorCpuMsPerRequest: median(mine.map((r) => r.simulatorCpuMsPerRequest)),
        simulatorCoreShare: median(mine.map((r) => r.simulatorCoreShare)),
        ...(redis.length > 0 && { redisCpuMsPerRequest: median(redis) }),
        peakRssMb: Math.max(...mine.map((r) => r.peakRssMb)),
        non2xx: mine.reduce((sum, r) => sum + r.load.non2xx, 0),
        errors: mine.reduce((sum, r) => sum + r.load.errors, 0),
      });
    }
  }
  for (const summary of out) {
    const direct = out.find((s) => s.caseId === 'simulator' && s.connections === summary.connections);
    if (!direct) continue;
    summary.addedP50 = summary.p50 - direct.p50;
    summary.addedP99 = summary.p99 - direct.p99;
  }
  return out;
};

const checkTargets = (summary: readonly CaseSummary[], rssAfter100k: BenchResults['rssAfter100k']): TargetCheck[] => {
  const find = (id: CaseId, c: number) => summary.find((s) => s.caseId === id && s.connections === c);
  const gw32 = find('gateway-redis', 32);
  const base32 = find('http-baseline', 32);
  const gw1 = find('gateway-redis', 1);
  const sim1 = find('simulator', 1);
  const targets: TargetCheck[] = [];
  if (gw32 && base32) {
    const ratio = gw32.rps / base32.rps;
    targets.push({ name: 'throughput at c=32, case 5 / case 2', required: '≥ 0.75×', measured: `${fmt(gw32.rps, 0)} / ${fmt(base32.rps, 0)} req/s = ${fmt(ratio)}×`, pass: ratio >= 0.75 });
    const p99 = gw32.p99 / base32.p99;
    targets.push({ name: 'p99 at c=32, case 5 / case 2', required: '≤ 2×', measured: `${fmt(gw32.p99)} / ${fmt(base32.p99)} ms = ${fmt(p99)}×`, pass: p99 <= 2 });
  }
  if (gw1 && sim1) {
    const added = gw1.p50 - sim1.p50;
    targets.push({ name: 'p50 added at c=1, case 5 − case 1', required: '≤ 1 ms', measured: `${fmt(gw1.p50, 3)} − ${fmt(sim1.p50, 3)} = ${fmt(added, 3)} ms`, pass: added <= 1 });
  }
  targets.push(
    rssAfter100k
      ? { name: 'RSS of case 5 after 100,000 requests', required: '< 150 MB', measured: `${fmt(rssAfter100k.rssMb, 1)} MB after ${rssAfter100k.requests.toLocaleString('en-US')} requests`, pass: rssAfter100k.rssMb < 150 }
      : { name: 'RSS of case 5 after 100,000 requests', required: '< 150 MB', measured: 'fewer than 100,000 requests in this run (see the soak)' },
    { name: 'no RSS growth trend', required: 'flat over the soak', measured: 'see "Memory soak" below (`npm run bench:soak`)' },
  );
  return targets;
};

const checkSimulator = (summary: readonly CaseSummary[], runs: readonly RunRecord[]): BenchResults['simulatorCheck'] => {
  const statements: string[] = [];
  let notBottleneck = true;
  for (const connections of CONCURRENCY) {
    const direct = summary.find((s) => s.caseId === 'simulator' && s.connections === connections);
    const others = summary.filter((s) => s.caseId !== 'simulator' && s.connections === connections);
    if (!direct || others.length === 0) continue;
    const fastest = others.reduce((a, b) => (b.rps > a.rps ? b : a));
    const ratio = direct.rps / fastest.rps;
    if (ratio < 1.5) notBottleneck = false;
    statements.push(
      `c=${connections}: the simulator alone served ${fmt(direct.rps, 0)} req/s, ${fmt(ratio, 1)}× the fastest proxy ` +
        `(case ${caseInfo(fastest.caseId).number}, ${fmt(fastest.rps, 0)} req/s) and ${fmt(direct.rps / (others.find((s) => s.caseId === 'gateway-redis')?.rps ?? Number.NaN), 1)}× case 5.`,
    );
  }
  const proxied = runs.filter((r) => r.caseId !== 'simulator');
  const busiest = proxied.reduce<RunRecord | undefined>((a, b) => (a === undefined || b.simulatorCoreShare > a.simulatorCoreShare ? b : a), undefined);
  const direct32 = summary.find((s) => s.caseId === 'simulator' && s.connections === 32);
  if (direct32) {
    statements.push(
      `The simulator costs ${fmt(direct32.cpuMsPerRequest, 3)} ms of CPU per request (≈ ${fmt(1000 / direct32.cpuMsPerRequest, 0)} req/s on one core); ` +
        'when measured directly, autocannon shares the 2 cores with it, so case 1 is the load generator\'s limit as much as the simulator\'s.',
    );
  }
  if (busiest) {
    if (busiest.simulatorCoreShare > 0.6) notBottleneck = false;
    statements.push(
      `While serving cases 2–5 the simulator used at most ${fmt(100 * busiest.simulatorCoreShare, 0)}% of one core ` +
        `(case ${caseInfo(busiest.caseId).number}, c=${busiest.connections}).`,
    );
  }
  statements.push(
    notBottleneck
      ? '**Verdict: the simulator is not the bottleneck** (≥ 1.5× every proxied case at every concurrency, well under one core while proxied).'
      : '**Verdict: the simulator may limit some cases** (under 1.5× a proxied case, or above 60% of a core while proxied): read those rows with care.',
  );
  return { notBottleneck, statements };
};

const bench = async (): Promise<void> => {
  const durationS = QUICK ? 2 : numberEnv('BENCH_DURATION_S', 10, 1, 600);
  const repeats = QUICK ? 1 : numberEnv('BENCH_REPEATS', 3, 1, 20);
  const warmupS = QUICK ? 1 : Math.min(3, durationS);
  const machine = describeMachine();
  console.log(`bench: ${durationS} s × ${CASES.length} cases × ${CONCURRENCY.length} concurrency levels × ${repeats} repeat(s), ${warmupS} s warm-up${QUICK ? ' (BENCH_QUICK)' : ''}`);
  console.log(`machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);

  const testbed = await startTestbed({ redis: true });
  const redisPid = testbed.redis?.pid;
  const suts = new Map<CaseId, Child>();
  for (const info of CASES) suts.set(info.id, await testbed.startSut(info.id));
  const served = new Map<CaseId, number>(CASES.map((c) => [c.id, 1]));
  const bodiesMatch = await checkBodies(testbed, suts);

  for (const info of CASES) {
    const warm = await load(testbed, info.id, suts.get(info.id) as Child, 32, warmupS);
    served.set(info.id, (served.get(info.id) ?? 0) + warm.ok + warm.non2xx);
    console.log(`warm-up case ${info.number}: ${fmt(warm.rps, 0)} req/s`);
    await sleep(PAUSE_MS);
  }

  const ourPids = (): number[] => [process.pid, testbed.simulator.pid, ...[...suts.values()].map((sut) => sut.pid), ...(redisPid === undefined ? [] : [redisPid])];
  let quietBudgetMs = QUIET_BUDGET_MS;
  const runs: RunRecord[] = [];
  let rssAfter100k: BenchResults['rssAfter100k'];
  const total = repeats * CONCURRENCY.length * CASES.length;
  for (let repeat = 1; repeat <= repeats; repeat += 1) {
    for (const connections of CONCURRENCY) {
      for (const info of CASES) {
        const sut = suts.get(info.id) as Child;
        const simulator = testbed.simulator;
        const waitedMs = quietBudgetMs > 0 ? await waitForQuiet(ourPids, QUIET_CORES, Math.min(QUIET_WAIT_MS, quietBudgetMs)) : 0;
        quietBudgetMs -= waitedMs;
        const [before, simBefore] = await Promise.all([sut.usage(), simulator.usage()]);
        const redisBefore = info.id === 'gateway-redis' && redisPid !== undefined ? cpuMs(redisPid) : undefined;
        const reset = resetPeakRss(sut.pid);
        const meter = meterHostLoad(ourPids);
        const result = await load(testbed, info.id, sut, connections, durationS);
        const host = meter.stop();
        const [after, simAfter] = await Promise.all([sut.usage(), simulator.usage()]);
        const redisAfter = redisBefore !== undefined && redisPid !== undefined ? cpuMs(redisPid) : undefined;
        const responses = Math.max(1, result.ok + result.non2xx);
        served.set(info.id, (served.get(info.id) ?? 0) + responses);
        const peakKb = reset ? peakRssKb(sut.pid) : undefined;
        const record: RunRecord = {
          caseId: info.id,
          connections,
          repeat,
          load: result,
          cpuMsPerRequest: (cpuTotalMs(after) - cpuTotalMs(before)) / responses,
          simulatorCpuMsPerRequest: (cpuTotalMs(simAfter) - cpuTotalMs(simBefore)) / responses,
          simulatorCoreShare: (cpuTotalMs(simAfter) - cpuTotalMs(simBefore)) / (1000 * result.elapsedS),
          ...(redisBefore !== undefined && redisAfter !== undefined && { redisCpuMsPerRequest: (redisAfter - redisBefore) / responses }),
          peakRssMb: peakKb !== undefined ? peakKb / 1024 : after.maxRssKb / 1024,
          peakRssMethod: peakKb !== undefined ? 'VmHWM reset per run' : 'lifetime maxRSS',
          rssAfterMb: mb(after.rssBytes),
          heapUsedAfterMb: mb(after.heapUsedBytes),
          servedSoFar: served.get(info.id) ?? 0,
          foreignCores: host.foreignCores,
          stealCores: host.stealCores,
          waitedS: waitedMs / 1000,
        };
        runs.push(record);
        if (info.id === 'gateway-redis' && rssAfter100k === undefined && record.servedSoFar >= 100_000) {
          rssAfter100k = { requests: record.servedSoFar, rssMb: record.rssAfterMb };
        }
        console.log(
          `[${runs.length}/${total}] case ${info.number} c=${connections} #${repeat}: ${fmt(result.rps, 0)} req/s, ` +
            `p50 ${fmt(result.latencyMs.p50, 3)} p90 ${fmt(result.latencyMs.p90, 3)} p99 ${fmt(result.latencyMs.p99, 3)} ms, ` +
            `cpu ${fmt(record.cpuMsPerRequest, 3)} ms/req (sim ${fmt(record.simulatorCpuMsPerRequest, 3)}), peak RSS ${fmt(record.peakRssMb, 1)} MB` +
            (host.foreignCores >= QUIET_CORES ? `, others used ${fmt(host.foreignCores)} cores` : '') +
            (result.non2xx + result.errors > 0 ? `, ${result.non2xx} non-2xx, ${result.errors} errors ${JSON.stringify(result.statusCodes)}` : ''),
        );
        await sleep(PAUSE_MS);
      }
    }
  }

  const accessLogBytes = testbed.accessLogBytes();
  for (const sut of suts.values()) if (sut !== testbed.simulator) await sut.stop();
  await testbed.stop();

  const summary = summarise(runs);
  const results: BenchResults = {
    kind: 'bench',
    quick: QUICK,
    machine,
    finishedAt: new Date().toISOString(),
    settings: { durationS, repeats, warmupS, concurrency: [...CONCURRENCY] },
    runs,
    summary,
    targets: checkTargets(summary, rssAfter100k),
    simulatorCheck: checkSimulator(summary, runs),
    ...(rssAfter100k && { rssAfter100k }),
    accessLogBytes,
    hostLoad: {
      medianForeignCores: median(runs.map((r) => r.foreignCores)),
      maxForeignCores: Math.max(...runs.map((r) => r.foreignCores)),
      busyRuns: runs.filter((r) => r.foreignCores >= QUIET_CORES).map((r) => `case ${caseInfo(r.caseId).number} c=${r.connections} #${r.repeat} (${fmt(r.foreignCores)})`),
      totalWaitS: runs.reduce((sum, r) => sum + r.waitedS, 0),
      medianStealCores: median(runs.map((r) => r.stealCores)),
    },
    bodiesMatch,
  };
  const file = writeResult(`bench-${stamp()}${QUICK ? '-quick' : ''}.json`, results);
  const markdown = renderBench(results);
  console.log(`\n${markdown}\n\nraw results: ${file}`);
  if (WRITE_DOCS && !NARROWED) {
    updatePerformanceDoc('bench', markdown);
    console.log('docs/performance.md updated');
  }
};

const PROFILED: readonly CaseId[] = ['http-baseline', 'gateway-memory', 'gateway-redis'];

const profile = async (): Promise<void> => {
  const durationS = numberEnv('BENCH_PROFILE_S', QUICK ? 3 : 20, 1, 600);
  const connections = numberEnv('BENCH_PROFILE_C', 32, 1, 1024);
  const machine = describeMachine();
  const testbed = await startTestbed({ redis: true });
  const runs: ProfileRun[] = [];
  const when = stamp();
  for (const id of PROFILED) {
    const name = `${id}-c${connections}-${when}.cpuprofile`;
    const sut = await testbed.startSut(id, { execArgv: ['--cpu-prof', `--cpu-prof-dir=${RESULTS_DIR}`, `--cpu-prof-name=${name}`] });
    const first = await probe(sut.url, testbed.requestFor(id));
    if (first.status !== 200) throw new Error(`${id} answered ${first.status}: ${first.body.slice(0, 300)}`);
    const warm = await load(testbed, id, sut, connections, QUICK ? 1 : 3);
    const pids = (): number[] => [process.pid, sut.pid, testbed.simulator.pid, ...(testbed.redis ? [testbed.redis.pid] : [])];
    await waitForQuiet(pids, QUIET_CORES, QUIET_WAIT_MS);
    const result = await load(testbed, id, sut, connections, durationS);
    await sut.stop();
    const cpuprofile = join(RESULTS_DIR, name);
    const summary = summariseProfile(cpuprofile);
    runs.push({ caseId: id, rps: result.rps, served: 1 + warm.ok + warm.non2xx + result.ok + result.non2xx, cpuprofile, summary });
    console.log(`\ncase ${caseInfo(id).number} (${id}) under --cpu-prof: ${fmt(result.rps, 0)} req/s; top self time:`);
    for (const entry of summary.top) console.log(`  ${fmt(entry.selfMs, 0).padStart(7)} ms ${fmt(entry.busyPct, 1).padStart(5)}%  ${entry.functionName}  ${entry.location}`);
  }
  await testbed.stop();
  const results: ProfileResults = { kind: 'profile', machine, finishedAt: new Date().toISOString(), durationS, connections, runs };
  const file = writeResult(`profile-${when}.json`, results);
  const markdown = renderProfile(results);
  console.log(`\n${markdown}\n\nraw results: ${file}`);
  if (WRITE_DOCS) {
    updatePerformanceDoc('profile', markdown);
    console.log('docs/performance.md updated');
  }
};

runMain(process.argv.includes('--profile') ? profile : bench);
