// Shapes of the raw results written to bench/results/*.json and rendered into docs/performance.md.
import type { ProfileSummary } from './cpuProfile';
import type { LoadResult } from './load';
import type { Machine } from './machine';
import type { Line } from './stats';
import type { CaseId } from './testbed';

export interface RunRecord {
  caseId: CaseId;
  connections: number;
  repeat: number;
  load: LoadResult;
  /** CPU (user + system) the system under test spent per response; for case 1 the simulator itself. */
  cpuMsPerRequest: number;
  simulatorCpuMsPerRequest: number;
  /** Simulator CPU time over wall time: 1 = one core saturated. */
  simulatorCoreShare: number;
  redisCpuMsPerRequest?: number;
  peakRssMb: number;
  peakRssMethod: 'VmHWM reset per run' | 'lifetime maxRSS';
  rssAfterMb: number;
  heapUsedAfterMb: number;
  /** Responses this process had served in total when the run ended (warm-up and probes included). */
  servedSoFar: number;
  /** CPU used by processes that are not the bench's during the run, in cores; and hypervisor steal. */
  foreignCores: number;
  stealCores: number;
  /** How long the bench waited for the machine to be quiet before this run. */
  waitedS: number;
}

export interface CaseSummary {
  caseId: CaseId;
  connections: number;
  runs: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  addedP50: number;
  addedP99: number;
  cpuMsPerRequest: number;
  simulatorCpuMsPerRequest: number;
  simulatorCoreShare: number;
  redisCpuMsPerRequest?: number;
  /** Highest per-run peak among the repeats. */
  peakRssMb: number;
  non2xx: number;
  errors: number;
}

export interface TargetCheck {
  name: string;
  required: string;
  measured: string;
  /** undefined: not measured by this run. */
  pass?: boolean;
}

export interface BenchResults {
  kind: 'bench';
  quick: boolean;
  machine: Machine;
  finishedAt: string;
  settings: { durationS: number; repeats: number; warmupS: number; concurrency: number[] };
  runs: RunRecord[];
  summary: CaseSummary[];
  targets: TargetCheck[];
  simulatorCheck: { notBottleneck: boolean; statements: string[] };
  rssAfter100k?: { requests: number; rssMb: number };
  accessLogBytes: number;
  hostLoad: { medianForeignCores: number; maxForeignCores: number; busyRuns: string[]; totalWaitS: number; medianStealCores: number };
  bodiesMatch: Record<string, boolean>;
}

export interface SoakSample {
  tS: number;
  requests: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** The gateway's last overload sample (absent when /readyz did not answer in time). */
  eventLoopDelayMs?: number;
  shedding?: boolean;
}

export interface SoakResults {
  kind: 'soak';
  machine: Machine;
  finishedAt: string;
  settings: { durationS: number; connections: number; sampleS: number; steadyFromS: number };
  load: LoadResult;
  samples: SoakSample[];
  at100k?: SoakSample;
  /** A forced full GC before any load: the live heap the load starts from. */
  beforeLoadGc?: { rssMb: number; heapUsedMb: number };
  afterGc?: { rssMb: number; heapUsedMb: number };
  /** Least-squares lines over the steady part (t >= steadyFromS), in MB per minute. */
  rssTrend: Line;
  heapUsedTrend: Line;
  verdicts: TargetCheck[];
  accessLogBytes: number;
  /** The gateway's own counters at the end: requests shed (503 GW.5031) and log lines its bounded buffer dropped. */
  counters?: { shedRequests: number; logLinesDropped: number };
  hostLoad: { foreignCores: number; stealCores: number };
  /** The memory the gateway was given: its pod's limit as a cgroup when this machine allows one, else the machine's. */
  memory?: SoakMemory;
}

export interface SoakMemory {
  /** The Deployment's limit the cgroup was given, or why there was no cgroup. */
  cgroup: { limitMib: number } | { unavailable: string };
  /** V8's heap limit in the gateway, which node sized from the memory it may use. */
  heapSizeLimitMb: number;
}

export interface ProfileRun {
  caseId: CaseId;
  rps: number;
  /** Responses served by the profiled process over its life (warm-up included): the denominator of per-request costs. */
  served: number;
  cpuprofile: string;
  summary: ProfileSummary;
}

export interface ProfileResults {
  kind: 'profile';
  machine: Machine;
  finishedAt: string;
  durationS: number;
  connections: number;
  runs: ProfileRun[];
}
