// docs/performance.md: a fixed method header, a hand-written summary (the README links it), one section per script
// (bench, profile, soak) and hand-written notes. Each script replaces only its own section; the others are kept as they are.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { BenchResults, CaseSummary, ProfileResults, SoakMemory, SoakResults, TargetCheck } from './results';
import type { Machine } from './machine';
import { PERFORMANCE_DOC, ROOT } from './paths';
import { fmt } from './stats';
import { caseInfo, CASES, JOB, REQUEST_PATH } from './testbed';

const SECTIONS = ['summary', 'bench', 'profile', 'soak', 'notes'] as const;
type Section = (typeof SECTIONS)[number];
/** The sections people write; no script replaces them. */
type HandWritten = 'summary' | 'notes';

const PLACEHOLDER: Record<Section, string> = {
  summary: '## Summary\n\n(Hand-written: the latest figures against the targets; the scripts keep this section as it is.)',
  bench: '## Results\n\nNot run yet: `npm run bench`.',
  profile: '## CPU profile\n\nNot run yet: `npm run bench -- --profile`.',
  soak: '## Memory soak\n\nNot run yet: `npm run bench:soak`.',
  notes: '## Reading\n\n(Hand-written; the scripts keep this section as it is.)',
};

const HEADER = `# Performance

How much the gateway costs on top of DRS, measured by \`bench/\` (issue #5). The sections below are written by
the scripts (\`npm run bench\`, \`npm run bench -- --profile\`, \`npm run bench:soak\`); each replaces only its own.
The summary and the reading at the end are written by hand.

## Running it

- \`npm run bench\` (about 10 minutes) measures, in one run, the five cases below at concurrency 1, 32 and 128: the
  simulator alone, a bare Express + \`node:http\` relay, a bare Express + axios relay, the gateway with in-memory
  stores and the gateway with Redis and every feature on.
- \`npm run bench -- --profile\` takes CPU profiles; \`BENCH_PROFILE_C\` sets their concurrency.
- \`npm run bench:soak\` drives the Redis case at \`BENCH_SOAK_CONNECTIONS\` (default 32) for \`BENCH_SOAK_S\` seconds
  (default 300), samples memory and the gateway's overload state, and reports the requests it shed and the log
  lines it dropped; \`BENCH_SOAK_RSS_LIMIT_MB\` sets its RSS target (default 150; 320 checks the Deployment's limit).
  The gateway runs in a memory cgroup with the Deployment's limit when the machine allows one (root), so node
  sizes its heap as in its pod; the report says which, with the heap limit the gateway saw.
- \`BENCH_QUICK=1\` checks the harness in a minute.
- \`BENCH_CASES=1,2,5\` and \`BENCH_CONCURRENCY=1,32\` narrow a run for experiments; a narrowed run never writes
  this page.
- \`npm run bench:streams\` (about 2 minutes) measures other callers' p50 quiet and during a 30 s flood of 2,000
  progress streams from one caller, with the default stream caps and with caps above the flood
  (\`BENCH_FLOOD_STREAMS\`, \`BENCH_FLOOD_S\`, \`BENCH_FLOOD_C\`). It prints its table and never writes this page
  (figures under "Progress stream flood" below).
- \`npm run bench:alloc\` measures the bytes allocated per request, by package; \`BENCH_ALLOC_CASE=2|4|5\` picks the
  case.

## Method

- **Request**: \`POST ${REQUEST_PATH}\` with \`{"jobs":["${JOB}"]}\` (a read-only result query) and
  \`Content-Type: application/json\`. Cases 2–5 carry \`Authorization: Bearer <RS256 JWT>\` (the baselines ignore it);
  case 1 carries the simulator IAM token in \`X-Auth-Token\` instead, as DRS wants. Every case answers the same
  200 body (checked before measuring).
- **Cases**, each in its own process, all started from the production build \`dist/\` (never ts-node):
  1. the simulator directly (\`startSimulator({ fast: true })\`, its own process): the limit;
  2. \`bench/baselines/httpPassThrough.ts\`: Express + \`node:http\` relaying body, \`Content-Type\` and one IAM token
     (fetched once at start-up) over a keep-alive agent; nothing else;
  3. \`bench/baselines/axiosPassThrough.ts\`: the same through \`axios\`;
  4. the gateway with in-memory stores: \`DRS_ENDPOINT\`/\`IAM_ENDPOINT\` = the simulator, RS256 through
     \`JWT_PUBLIC_KEY\`, both limiters on with limits no run reaches (\`100000000\`), \`LOG_LEVEL=warn\`;
  5. the gateway with Redis and every feature on: case 4 plus \`REDIS_URL\` (a \`redis-server --save "" --appendonly no\`
     the bench starts on a free port), \`TOKEN_CACHE_KEY\`, \`JWT_ISSUER\`/\`JWT_AUDIENCE\`, and an access log line per
     request at \`info\` written to a file through the gateway's own bounded asynchronous destination (at most
     4 MiB waiting; what does not fit is dropped and counted).
- **Load**: autocannon in the parent process, one run per case × concurrency (1, 32, 128) of a fixed duration,
  repeated and interleaved (repeat 1 of every case, then repeat 2, …) so drift hits every case alike; a warm-up
  run per process is discarded. Figures are medians over the repeats (peak RSS: the highest).
- **Latency** is every 2xx response's own time (autocannon's \`response\` event, fractional ms), sorted for
  exact percentiles: autocannon's histogram keeps whole milliseconds, too coarse for the 1 ms target.
  "+p50/+p99" is the case's median minus case 1's at the same concurrency.
- **CPU per request**: user + system time of the system under test (\`process.cpuUsage()\` asked over IPC before
  and after the run) divided by responses; "sim CPU" is the simulator's, measured the same way.
- **Peak RSS**: \`VmHWM\` of the process under test, reset before each run (\`/proc/<pid>/clear_refs\` = 5), so it
  is that run's peak.
- **The machine has 2 cores**, shared by autocannon, the process under test, the simulator and (case 5)
  redis-server: absolute figures are lower than on a dedicated host, and cases with more processes compete more.
  Compare cases within one run, never across machines.
- No \`NODE_ENV=production\` (the sandbox IAM user would be refused); nothing in the hot path depends on it.

## Targets (issue #5)

Medians, case 5 against case 2 of the same run: throughput at c=32 ≥ 0.75×; p99 at c=32 ≤ 2× case 2's;
p50 added over the simulator at c=1 ≤ 1 ms; RSS < 150 MB after 100,000 requests and no growth trend over the soak.
`;

const marker = (section: Section, edge: 'begin' | 'end'): string => `<!-- ${section}:${edge} -->`;

const extract = (text: string, section: Section): string | undefined => {
  const begin = text.indexOf(marker(section, 'begin'));
  const end = text.indexOf(marker(section, 'end'));
  if (begin < 0 || end < begin) return undefined;
  return text.slice(begin + marker(section, 'begin').length, end).trim();
};

export const updatePerformanceDoc = (section: Exclude<Section, HandWritten>, markdown: string): void => {
  const existing = existsSync(PERFORMANCE_DOC) ? readFileSync(PERFORMANCE_DOC, 'utf8') : '';
  const body = SECTIONS.map((name) => {
    const content = name === section ? markdown.trim() : (extract(existing, name) ?? PLACEHOLDER[name]);
    return `${marker(name, 'begin')}\n${content}\n${marker(name, 'end')}`;
  });
  mkdirSync(dirname(PERFORMANCE_DOC), { recursive: true });
  writeFileSync(PERFORMANCE_DOC, `${HEADER}\n${body.join('\n\n')}\n`);
};

const signed = (value: number, digits = 2): string => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '–');
const verdict = (pass: boolean | undefined): string => (pass === undefined ? 'not measured' : pass ? '**PASS**' : '**FAIL**');

export const machineLine = (machine: Machine): string =>
  `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB RAM, ${machine.os}; Node ${machine.node}, ` +
  `redis-server ${machine.redis}, autocannon ${machine.autocannon}; revision ${machine.revision}; ${machine.date.replace('T', ' ').slice(0, 16)} UTC`;

export const targetTable = (targets: readonly TargetCheck[]): string =>
  ['| target | required | measured | result |', '|---|---|---|---|', ...targets.map((t) => `| ${t.name} | ${t.required} | ${t.measured} | ${verdict(t.pass)} |`)].join('\n');

const caseRow = (s: CaseSummary): string => {
  const info = caseInfo(s.caseId);
  const redis = s.redisCpuMsPerRequest === undefined ? '' : ` (+${fmt(s.redisCpuMsPerRequest, 3)} redis)`;
  return (
    `| ${info.number}. ${info.label} | ${s.connections} | ${fmt(s.rps, 0)} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p99)} | ` +
    `${s.caseId === 'simulator' ? '–' : signed(s.addedP50)} | ${s.caseId === 'simulator' ? '–' : signed(s.addedP99)} | ` +
    `${fmt(s.cpuMsPerRequest, 3)}${redis} | ${fmt(s.simulatorCpuMsPerRequest, 3)} | ${fmt(s.peakRssMb, 1)} |`
  );
};

export const renderBench = (results: BenchResults): string => {
  const { settings } = results;
  const total = results.runs.reduce((sum, run) => sum + run.load.ok, 0);
  const failures = results.summary.reduce((sum, s) => sum + s.non2xx + s.errors, 0);
  const rows: string[] = [];
  for (const connections of settings.concurrency) {
    for (const info of CASES) {
      const summary = results.summary.find((s) => s.caseId === info.id && s.connections === connections);
      if (summary) rows.push(caseRow(summary));
    }
  }
  return [
    `## Results${results.quick ? ' (BENCH_QUICK: a harness check, not representative)' : ''}`,
    '',
    `Machine: ${machineLine(results.machine)}.`,
    '',
    `Runs: ${settings.durationS} s each, ${settings.repeats} repeat(s) per case × concurrency, a ${settings.warmupS} s warm-up per process ` +
      `discarded; ${total.toLocaleString('en-US')} measured 2xx responses; ${failures} non-2xx or errors.` +
      (Object.values(results.bodiesMatch).every(Boolean) ? ' Every case answered the simulator\'s body.' : ` Bodies differed: ${JSON.stringify(results.bodiesMatch)}.`),
    '',
    `Other processes on the machine (not the bench's) used a median of ${fmt(results.hostLoad.medianForeignCores)} cores during runs ` +
      `(max ${fmt(results.hostLoad.maxForeignCores)}; hypervisor steal ${fmt(results.hostLoad.medianStealCores)}); the bench waited ` +
      `${fmt(results.hostLoad.totalWaitS, 0)} s in all for quiet before runs. ` +
      (results.hostLoad.busyRuns.length > 0 ? `Runs with ≥ 0.3 foreign cores: ${results.hostLoad.busyRuns.join(', ')}.` : 'No run had ≥ 0.3 foreign cores.'),
    '',
    '### Targets',
    '',
    targetTable(results.targets),
    '',
    '### Is the simulator the bottleneck?',
    '',
    ...results.simulatorCheck.statements.map((s) => `- ${s}`),
    '',
    '### All cases (medians)',
    '',
    'Latency in ms; CPU in ms per request of the process under test (case 5 adds redis-server\'s in brackets); peak RSS in MB.',
    '',
    '| case | c | req/s | p50 | p90 | p99 | +p50 vs (1) | +p99 vs (1) | CPU ms/req | sim CPU ms/req | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    'Raw runs: `bench/results/bench-*.json` (git-ignored). Case 5\'s access log reached ' +
      `${fmt(results.accessLogBytes / 2 ** 20, 1)} MB.`,
  ].join('\n');
};

const memoryLine = ({ cgroup, heapSizeLimitMb }: SoakMemory): string =>
  'unavailable' in cgroup
    ? `- Not in a memory cgroup (${cgroup.unavailable}): node sized its heap from the machine's memory (limit ${fmt(heapSizeLimitMb, 0)} MB), not the pod's.`
    : `- In a memory cgroup limited to the Deployment's ${cgroup.limitMib} MiB, as in its pod: node sized its heap limit from it ` +
      `(${fmt(heapSizeLimitMb, 0)} MB), and the kernel would have killed it at the limit.`;

export const renderSoak = (soak: SoakResults): string => {
  const { settings } = soak;
  const rows = soak.samples.map(
    (s) =>
      `| ${fmt(s.tS, 0)} | ${s.requests.toLocaleString('en-US')} | ${fmt(s.rssMb, 1)} | ${fmt(s.heapUsedMb, 1)} | ${fmt(s.heapTotalMb, 1)} | ${fmt(s.externalMb, 1)} | ` +
      `${s.eventLoopDelayMs === undefined ? '–' : `${s.eventLoopDelayMs}${s.shedding ? ' (shedding)' : ''}`} |`,
  );
  return [
    '## Memory soak',
    '',
    `Machine: ${machineLine(soak.machine)}.`,
    '',
    `Case 5 (gateway, Redis, every feature on) at c=${settings.connections} for ${settings.durationS} s: ` +
      `${soak.load.ok.toLocaleString('en-US')} 2xx responses (${fmt(soak.load.rps, 0)} req/s, p50 ${fmt(soak.load.latencyMs.p50)} ms, ` +
      `p99 ${fmt(soak.load.latencyMs.p99)} ms), ${soak.load.non2xx + soak.load.errors} non-2xx or errors. RSS and heap sampled over IPC ` +
      `every ${settings.sampleS} s; trends are least-squares lines over t ≥ ${settings.steadyFromS} s (after warm-up).`,
    '',
    targetTable(soak.verdicts),
    '',
    `- RSS trend: ${signed(soak.rssTrend.slope, 3)} MB/min (R² ${fmt(soak.rssTrend.r2)}); heapUsed trend: ${signed(soak.heapUsedTrend.slope, 3)} MB/min (R² ${fmt(soak.heapUsedTrend.r2)}).`,
    soak.at100k ? `- At 100,000 requests (t = ${fmt(soak.at100k.tS, 1)} s): RSS ${fmt(soak.at100k.rssMb, 1)} MB, heapUsed ${fmt(soak.at100k.heapUsedMb, 1)} MB.` : '- 100,000 requests were not reached.',
    soak.beforeLoadGc ? `- Before the load, a forced full GC: RSS ${fmt(soak.beforeLoadGc.rssMb, 1)} MB, heapUsed ${fmt(soak.beforeLoadGc.heapUsedMb, 1)} MB.` : '',
    soak.afterGc ? `- After the load, a forced full GC: RSS ${fmt(soak.afterGc.rssMb, 1)} MB, heapUsed ${fmt(soak.afterGc.heapUsedMb, 1)} MB.` : '',
    soak.memory ? memoryLine(soak.memory) : '',
    `- Other processes on the machine used ${fmt(soak.hostLoad.foreignCores)} cores on average during the soak (steal ${fmt(soak.hostLoad.stealCores)}).`,
    `- Case 5's access log grew to ${fmt(soak.accessLogBytes / 2 ** 20, 1)} MB (it is a file, not process memory).`,
    soak.counters
      ? `- The gateway shed ${soak.counters.shedRequests.toLocaleString('en-US')} requests (503 GW.5031) and dropped ${soak.counters.logLinesDropped.toLocaleString('en-US')} log lines (bounded log buffer).`
      : '',
    '',
    '| t (s) | requests | RSS MB | heapUsed MB | heapTotal MB | external MB | loop delay ms |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
};

export const renderProfile = (profile: ProfileResults): string => {
  const lines = [
    '## CPU profile',
    '',
    `Machine: ${machineLine(profile.machine)}.`,
    '',
    `\`node --cpu-prof\` on the process under test, c=${profile.connections} for ${profile.durationS} s after a warm-up ` +
      '(the profiler slows it down; these runs are not in the results table). Self time is aggregated per function ' +
      '(name + script); "% busy" excludes idle time. Busy time is wall time the thread was not idle: on 2 shared cores it ' +
      'includes time descheduled inside system calls (hence `writev`). Per-request figures divide by every response the process served.',
    '',
  ];
  for (const run of profile.runs) {
    const info = caseInfo(run.caseId);
    lines.push(
      `### Case ${info.number} (${info.label}): top ${run.summary.top.length} self-time functions`,
      '',
      `${fmt(run.rps, 0)} req/s under the profiler; busy ${fmt(run.summary.busyMs, 0)} ms for ${run.served.toLocaleString('en-US')} responses ` +
        `= ${fmt((1000 * run.summary.busyMs) / Math.max(1, run.served), 0)} µs per request. Profile: \`${relative(ROOT, run.cpuprofile)}\`.`,
      '',
      '| # | function | script:line | self ms | % busy |',
      '|---:|---|---|---:|---:|',
      ...run.summary.top.map((t, i) => `| ${i + 1} | \`${t.functionName.replace(/\|/g, '\\|')}\` | ${t.location ? `\`${t.location}\`` : '(native)'} | ${fmt(t.selfMs, 0)} | ${fmt(t.busyPct, 1)} |`),
      '',
    );
  }
  const groups = new Set(profile.runs.flatMap((run) => run.summary.byGroup.slice(0, 18).map((g) => g.group)));
  const perRequest = (run: ProfileResults['runs'][number], group: string): number =>
    (1000 * (run.summary.byGroup.find((g) => g.group === group)?.selfMs ?? 0)) / Math.max(1, run.served);
  const first = profile.runs[profile.runs.length - 1];
  const ordered = [...groups].sort((a, b) => (first ? perRequest(first, b) - perRequest(first, a) : 0));
  lines.push(
    '### Self time per request by package or gateway folder (µs)',
    '',
    `| group | ${profile.runs.map((run) => `case ${caseInfo(run.caseId).number}`).join(' | ')} |`,
    `|---|${profile.runs.map(() => '---:').join('|')}|`,
    ...ordered.map((group) => `| ${group} | ${profile.runs.map((run) => fmt(perRequest(run, group), 1)).join(' | ')} |`),
  );
  return lines.join('\n');
};
