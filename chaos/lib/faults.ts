// The faults, and the schedules that fire them: each fault records its own window (name, detail, start, end).
import { readCounters, readOverload } from '../../bench/lib/gatewayFigures';
import { fmt } from '../../bench/lib/stats';
import { sendRedisCommand } from '../../test/support/redis';
import { OVERLOAD, type FaultWindow } from './history';
import type { Load } from './load';
import { waitFor } from './processes';
import type { Topology } from './topology';

export interface FaultStep {
  /** Seconds after the load began. */
  atS: number;
  name: string;
  run(topology: Topology, record: (detail: string) => void, load: Load): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const redisLatency = (atS: number, ms: number, forS: number): FaultStep => ({
  atS,
  name: 'redis-latency',
  async run(topology, record) {
    const master = await topology.currentMaster();
    record(`${ms} ms each way on the master's link (${master.name}) for ${forS} s`);
    master.proxy.setFault({ kind: 'latency', ms });
    await sleep(forS * 1000);
    master.proxy.setFault(undefined);
  },
});

export const drsResets = (atS: number, kind: 'reset-before' | 'reset-after', probability: number, forS: number): FaultStep => ({
  atS,
  name: `drs-${kind}`,
  async run(topology, record) {
    record(`${Math.round(probability * 100)}% of chunks ${kind === 'reset-before' ? 'to DRS dropped and reset before forwarding' : 'from DRS dropped and reset after DRS answered'} for ${forS} s`);
    topology.drsProxy.setFault({ kind, probability });
    await sleep(forS * 1000);
    topology.drsProxy.setFault(undefined);
  },
});

export const iamOutage = (atS: number, forS: number): FaultStep => ({
  atS,
  name: 'iam-outage',
  async run(topology, record) {
    record(`every IAM token revoked at DRS, IAM blackholed for ${forS} s`);
    topology.iamProxy.setFault({ kind: 'blackhole' });
    const revoked = await fetch(`${topology.simulatorUrl}/__sim/revoke-tokens`, { method: 'POST' });
    await revoked.arrayBuffer();
    await sleep(forS * 1000);
    topology.iamProxy.setFault(undefined);
  },
});

/**
 * Kills the Redis master; with `lagMs`, first makes the replica fall behind: the replica is paused (SIGSTOP) and
 * cut off from the master (CLIENT KILL TYPE replica), the load keeps writing to the master for `lagMs`, and only then
 * is the master killed. On loopback the replica is otherwise never behind, and the loss would never show.
 */
export const redisFailover = (atS: number, options: { lagMs?: number }): FaultStep => ({
  atS,
  name: options.lagMs === undefined ? 'redis-failover' : 'redis-failover-lagging',
  async run(topology, record) {
    const master = await topology.currentMaster();
    const replica = topology.redisNodes.find((node) => node !== master);
    if (replica?.process === undefined || master.process === undefined) throw new Error('redis-failover: no replica running');
    if (options.lagMs !== undefined) {
      replica.process.signal('SIGSTOP');
      await sendRedisCommand(master.port, ['CLIENT', 'KILL', 'TYPE', 'replica']);
      await sleep(options.lagMs);
    }
    await topology.killRedisNode(master);
    if (options.lagMs !== undefined) replica.process.signal('SIGCONT');
    await waitFor('sentinel failover', async () => (await topology.currentMaster()) === replica, 30_000);
    await topology.restartRedisNode(master, replica);
    await waitFor('old master back as replica', async () => (await sendRedisCommand(master.port, ['INFO', 'replication'])).includes('master_link_status:up'), 30_000);
    record(`${master.name} SIGKILLed${options.lagMs === undefined ? '' : ` after its replica was paused and cut off for ${options.lagMs} ms`}; ${replica.name} promoted; ${master.name} back as replica`);
  },
});

export const rollingRestart = (atS: number, instances?: readonly number[]): FaultStep => ({
  atS,
  name: 'rolling-restart',
  async run(topology, record) {
    const chosen = instances ?? topology.gateways.map((_, i) => i);
    for (const index of chosen) {
      const gateway = topology.gateways[index];
      if (gateway === undefined) continue;
      await gateway.stop();
      await gateway.start();
      // HAProxy needs two passing checks (500 ms apart) before it sends traffic again.
      await sleep(1_500);
    }
    record(`SIGTERM, drain, restart, one at a time: ${chosen.map((i) => topology.gateways[i]?.name).join(', ')}`);
  },
});

export const sighupReloads = (atS: number, rounds: number, everyS: number): FaultStep => ({
  atS,
  name: 'sighup-reloads',
  async run(topology, record) {
    for (let round = 0; round < rounds; round += 1) {
      topology.writeReloadableConfig(round % 2 === 0 ? 6_000 : 5_000);
      for (const gateway of topology.gateways) gateway.process()?.signal('SIGHUP');
      if (round < rounds - 1) await sleep(everyS * 1000);
    }
    record(`${rounds} rounds of SIGHUP to every instance, ${everyS} s apart, each changing drs.timeoutMs`);
  },
});

/**
 * The soak's c=128 saturation on every instance at once, for `forS` seconds, beside the load through HAProxy (which
 * keeps sending the services to them, so they meet any shedding). The detail gives each instance's own counts, and
 * the loop delay its overload monitor read (from /readyz each second), the figure its shedding threshold applies to.
 */
export const overload = (atS: number, connections: number, forS: number): FaultStep => ({
  atS,
  name: OVERLOAD,
  async run(topology, record, load) {
    const phases = await Promise.all(
      topology.gateways.map(async (gateway) => {
        const origin = `http://127.0.0.1:${gateway.port}`;
        const before = await readCounters(origin).catch(() => undefined);
        const loop = { maxDelayMs: 0, shedding: 0, samples: 0 };
        const monitor = setInterval(() => {
          readOverload(origin).then(
            (reading) => {
              loop.samples += 1;
              loop.maxDelayMs = Math.max(loop.maxDelayMs, reading.eventLoopDelayMs);
              if (reading.shedding) loop.shedding += 1;
            },
            () => undefined,
          );
        }, 1_000);
        const result = await load.saturate({ name: gateway.name, origin }, connections, forS).finally(() => clearInterval(monitor));
        const after = await readCounters(origin).catch(() => undefined);
        // A gateway restarted within the phase counts from zero again: its figures would mislead.
        const counts =
          before === undefined || after === undefined || after.shedRequests < before.shedRequests
            ? 'counters not comparable'
            : `${after.shedRequests - before.shedRequests} shed, ${after.logLinesDropped - before.logLinesDropped} log lines dropped`;
        const delay = `mean loop delay up to ${loop.maxDelayMs} ms, shedding in ${loop.shedding} of ${loop.samples} readings`;
        return `${gateway.name} ${result.ok} answered 200 (${fmt(result.rps, 0)}/s), ${result.non2xx} other, ${result.errors} connection errors; ${delay}; its counters: ${counts}`;
      }),
    );
    record(`each gateway driven at c=${connections} by the soak's load generator (result queries back to back) for ${forS} s: ${phases.join('; ')}`);
  },
});

export interface Schedule {
  loadS: number;
  steps: FaultStep[];
}

/** `npm run chaos`: every fault alone, then several at once, as in a real incident, then overload; ~8 minutes of load. */
export const FULL_SCHEDULE: Schedule = {
  loadS: 465,
  steps: [
    redisLatency(20, 60, 25),
    drsResets(55, 'reset-before', 0.3, 25),
    drsResets(90, 'reset-after', 0.3, 25),
    iamOutage(125, 15),
    redisFailover(160, { lagMs: 1_500 }),
    rollingRestart(200),
    sighupReloads(235, 4, 5),
    // The incident: a failover with lag, DRS losing answers and an instance restarting, all at once.
    redisFailover(275, { lagMs: 1_500 }),
    drsResets(275, 'reset-after', 0.3, 30),
    rollingRestart(280, [1]),
    sighupReloads(290, 2, 5),
    redisFailover(330, {}),
    iamOutage(350, 10),
    // 90 s: RSS settles within the first half (steps until some 36 s in), and the second half shows whether it grows.
    overload(365, 128, 90),
  ],
};

/** The short mode inside `npm test`: a subset, shorter. */
export const SHORT_SCHEDULE: Schedule = {
  loadS: 24,
  steps: [drsResets(2, 'reset-after', 0.4, 4), redisFailover(6, { lagMs: 1_500 }), rollingRestart(12, [0]), sighupReloads(13, 2, 3), overload(18, 128, 5)],
};

export const runSchedule = async (topology: Topology, load: Load, schedule: Schedule, startedAt: number, windows: FaultWindow[], failures: string[]): Promise<void> => {
  await Promise.all(
    schedule.steps.map(async (step) => {
      await sleep(Math.max(0, startedAt + step.atS * 1000 - Date.now()));
      const start = Date.now();
      let detail = '';
      try {
        await step.run(
          topology,
          (text) => {
            detail = text;
          },
          load,
        );
      } catch (error) {
        failures.push(`${step.name} at ${step.atS} s: ${error instanceof Error ? error.message : String(error)}`);
        detail = `failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      windows.push({ name: step.name, detail, start, end: Date.now() });
    }),
  );
};
