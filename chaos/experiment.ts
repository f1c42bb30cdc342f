// One chaos experiment: the topology up, load and faults on a schedule, the history checked, the report written,
// and every process stopped (by PID, exits awaited) whatever happened.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { meterHostLoad } from '../bench/lib/hostLoad';
import { ROOT } from '../bench/lib/paths';
import { rssKb } from '../bench/lib/proc';
import type { StartRecord } from '../src/simulator/startSimulator';
import { checkHistory, type Verdict } from './lib/checker';
import { FULL_SCHEDULE, runSchedule, SHORT_SCHEDULE } from './lib/faults';
import type { FaultWindow, History, RssSample } from './lib/history';
import { runLoad } from './lib/load';
import { bundleScript, ProcessGroup } from './lib/processes';
import { writeReport, type ReportFiles } from './lib/report';
import { deploymentMemoryLimitMib } from '../bench/lib/shipped';
import { PROBE_TIER, startTopology } from './lib/topology';

export interface ExperimentOptions {
  mode: 'full' | 'short';
  outDir: string;
  /** redis.waitReplicas for the gateways (default: theirs, 1 with Sentinel). */
  waitReplicas?: number;
  /** The caller's group, so a signal handler can stop what it started. */
  group?: ProcessGroup;
  log?: (line: string) => void;
}

export interface ExperimentResult {
  history: History;
  verdicts: Verdict[];
  files: ReportFiles;
  /** Faults that could not be applied, and other trouble of the harness itself. */
  notes: string[];
}

/** A small seeded generator (mulberry32), so the same run makes the same choices. */
const seeded = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** Watches still open this long after the last start are aborted (a pre-check takes 6 s, polls come every 1 s). */
const WATCH_GRACE_MS = 15_000;

export const runExperiment = async (options: ExperimentOptions): Promise<ExperimentResult> => {
  const began = Date.now();
  const say = options.log ?? (() => undefined);
  const log = (line: string): void => say(`${((Date.now() - began) / 1000).toFixed(1)} s: ${line}`);
  const group = options.group ?? new ProcessGroup();
  const schedule = options.mode === 'full' ? FULL_SCHEDULE : SHORT_SCHEDULE;
  const work = mkdtempSync(join(tmpdir(), 'drs-chaos-'));
  mkdirSync(options.outDir, { recursive: true });
  const notes: string[] = options.waitReplicas === undefined ? [] : [`the gateways ran with redis.waitReplicas ${options.waitReplicas}`];
  const random = seeded(18);
  const generatorScript = bundleScript(join(ROOT, 'chaos', 'processes', 'saturate.ts'), join(work, 'bin', 'saturate.js'));
  log(`starting the topology (logs in ${work})`);
  const topology = await startTopology(group, work, { gateways: 3, waitReplicas: options.waitReplicas });
  try {
    log(`3 gateways behind HAProxy at ${topology.url}; load for ${schedule.loadS} s`);
    const meter = meterHostLoad(() => [process.pid, ...group.pids()]);
    const rss: RssSample[] = [];
    const sampler = setInterval(() => {
      for (const gateway of topology.gateways) {
        const managed = gateway.process();
        const kb = managed === undefined ? undefined : rssKb(managed.pid);
        if (managed !== undefined && kb !== undefined) rss.push({ at: Date.now(), instance: gateway.name, pid: managed.pid, rssMb: kb / 1024 });
      }
    }, 1_000);
    const stopStarting = new AbortController();
    const stopAll = new AbortController();
    const startedAt = Date.now();
    const faults: FaultWindow[] = [];
    const load = runLoad(
      topology.url,
      { services: 4, pauseMs: [150, 350], redeliveryShare: 0.5, maxWatches: 6, proberIntervalMs: 100, random },
      { stopStarting: stopStarting.signal, stopAll: stopAll.signal },
      { group, script: generatorScript, dir: work },
    );
    const faultsDone = runSchedule(topology, load, schedule, startedAt, faults, notes);
    await new Promise((resolve) => setTimeout(resolve, schedule.loadS * 1000));
    stopStarting.abort();
    const loadEndedAt = Date.now();
    log('load stopped; waiting for faults, redeliveries and watches to end');
    await faultsDone;
    const grace = setTimeout(() => stopAll.abort(), WATCH_GRACE_MS);
    const record = await load.finished;
    clearTimeout(grace);
    clearInterval(sampler);
    const hostLoad = meter.stop();
    const simulatorStarts = (await (await fetch(`${topology.simulatorUrl}/__sim/starts`)).json()) as { starts: StartRecord[] };
    await topology.stop();
    const history: History = {
      mode: options.mode,
      startedAt,
      loadEndedAt,
      endedAt: Date.now(),
      ...record,
      drsStarts: simulatorStarts.starts,
      faults,
      rss,
      rssLimitMb: deploymentMemoryLimitMib(),
      gatewayMemory: topology.gatewayMemory,
      crashes: [...group.crashes],
      probeTier: { name: PROBE_TIER.name, max: PROBE_TIER.max, windowMs: PROBE_TIER.windowMs },
      hostLoad: { foreignCores: hostLoad.foreignCores },
    };
    const verdicts = checkHistory(history);
    log('checking the history and writing the report');
    const files = await writeReport(options.outDir, history, verdicts, notes);
    log(`done: ${options.outDir}`);
    // Every process's log (gateways, HAProxy, Redis, sentinels, simulator) goes with the report.
    cpSync(work, join(options.outDir, 'logs'), { recursive: true, filter: (source) => source !== dirname(generatorScript) });
    rmSync(work, { recursive: true, force: true });
    return { history, verdicts, files, notes };
  } finally {
    await topology.stop();
  }
};
