// The reload seam: builds a Runtime from each configuration out of pooled pieces, and closes the pieces a reload left behind.
import { longestRequestMs } from '../config/requestBudget';
import type { GatewayConfig } from '../config/schema';
import { GatewayError } from '../errors/GatewayError';
import { createPrecheckForwarder } from '../upstream/createPrecheckForwarder';
import { drsRegionFactory, type DrsRegion } from './drsRegionFactory';
import { iamClientFactory } from './iamClientFactory';
import { iamHttpFactory } from './iamHttpFactory';
import { jobBudgetFactory } from './jobBudgetFactory';
import { limitersFactory } from './limitersFactory';
import { overloadLimitsFactory } from './overloadLimitsFactory';
import { Pool } from './Pool';
import { projectAccessFactory } from './projectAccessFactory';
import { createProjectResolver } from './resolveProject';
import type { RegionState, Runtime, RuntimeServices, ServedProject } from './Runtime';
import { tokenLineFactory, type TokenLine } from './tokenLineFactory';

/** What a successful replace built anew, by kind of piece (the rest was reused). */
export interface RebuildSummary {
  built: string[];
}

/** The request path reads `current()` once per request; `replace` swaps the snapshot. */
export interface RuntimeHolder {
  current(): Runtime;
  /**
   * Builds a runtime from `config`, reusing every pooled piece whose configuration slice did not change (DRS and IAM
   * HTTP agents, circuit breakers, token caches, limiters, the job budget, the access grants) and closing, once
   * requests that may still use them are over, those that went away. Throws (a region without endpoints that has no
   * embedded simulator) and keeps the running snapshot when it cannot.
   */
  replace(config: GatewayConfig): RebuildSummary;
  /** Destroys every agent and breaker (shutdown). */
  close(): void;
}

export const createRuntimeHolder = (initial: GatewayConfig, services: RuntimeServices): RuntimeHolder => {
  const { clock, metrics } = services;
  const iamHttp = new Pool(iamHttpFactory(services));
  const pools = {
    drs: new Pool(drsRegionFactory(services)),
    iamHttp,
    iamClients: new Pool(iamClientFactory(services, iamHttp)),
    tokenLines: new Pool(tokenLineFactory(services)),
    limiters: new Pool(limitersFactory(services)),
    jobBudget: new Pool(jobBudgetFactory(services)),
    access: new Pool(projectAccessFactory()),
    overloadLimits: new Pool(overloadLimitsFactory()),
  };
  const allPools = Object.values(pools);
  /** Pieces that went away in a reload, closed once no request that may use them can still be running. */
  const pendingCloses = new Map<NodeJS.Timeout, Array<() => void>>();

  /** `commit` collects changes to shared pieces that only a successful build may make. */
  const tokenLine = (config: GatewayConfig, region: string, credential: string, commit: Array<() => void>): TokenLine => {
    // Taken here too: a reused sign-in does not take its HTTP client again, which must stay all the same.
    pools.iamHttp.take(config, region);
    const line = pools.tokenLines.take(config, region, credential);
    const client = pools.iamClients.take(config, region, credential);
    if (line.iam !== client) commit.push(() => (line.iam = client));
    return line;
  };

  const build = (config: GatewayConfig, commit: Array<() => void>): Runtime => {
    const regionsInUse = new Map<string, DrsRegion>();
    const linesByRegion = new Map<string, TokenLine[]>();
    const lines = new Set<TokenLine>();
    const served = new Map<string, ServedProject>();
    const resolve = createProjectResolver(config, (placement): ServedProject => {
      const pairKey = JSON.stringify([placement.region, placement.credential, placement.jobBudget]);
      const known = served.get(pairKey);
      if (known) return known;
      let region = regionsInUse.get(placement.region);
      if (!region) {
        region = pools.drs.take(config, placement.region);
        regionsInUse.set(placement.region, region);
      }
      const line = tokenLine(config, placement.region, placement.credential, commit);
      lines.add(line);
      linesByRegion.set(placement.region, [...(linesByRegion.get(placement.region) ?? []), line]);
      const project = {
        ...placement,
        tokens: line.cache,
        forwarder: createPrecheckForwarder({ http: region.http, tokens: line.cache, breaker: region.breaker, clock, region: placement.region, metrics }),
      };
      served.set(pairKey, project);
      return project;
    });
    const regionState = (name: string, region: DrsRegion): RegionState => {
      const states = new Set((linesByRegion.get(name) ?? []).map((line) => line.state));
      // Read once: the state is computed as of now, and both entries must tell the same one.
      const circuit = region.breaker.state;
      return {
        drs: circuit === 'closed' ? 'up' : `circuit-${circuit}`,
        circuit,
        iam: states.has('down') ? 'down' : states.has('up') ? 'up' : 'unknown',
      };
    };
    return {
      config,
      resolve,
      access: pools.access.take(config),
      limiters: pools.limiters.take(config),
      budget: pools.jobBudget.take(config),
      overloadLimits: pools.overloadLimits.take(config),
      forwarder: {
        forward(request) {
          const project = resolve(request.projectId);
          if (!project) return Promise.reject(new GatewayError('GW.1005'));
          return project.forwarder.forward(request);
        },
      },
      async invalidateTokens(projectId) {
        if (projectId !== undefined) {
          resolve(projectId)?.tokens.invalidate(projectId);
          return { memory: 0, shared: 0 };
        }
        let memory = 0;
        let shared = 0;
        for (const line of lines) {
          const dropped = await line.cache.invalidateAll();
          memory += dropped.memory;
          shared += dropped.shared;
        }
        return { memory, shared };
      },
      regions: () => Object.fromEntries([...regionsInUse].map(([name, region]) => [name, regionState(name, region)])),
    };
  };

  /** Publishes a successful build: applies its commits, and hands over what it built and what it left behind. */
  const finish = (commit: Array<() => void>): { built: string[]; gone: Array<() => void> } => {
    commit.forEach((apply) => apply());
    const swept = allPools.map((pool) => ({ name: pool.name, ...pool.sweep() }));
    return { built: swept.filter((pool) => pool.built > 0).map((pool) => pool.name), gone: swept.flatMap((pool) => pool.gone) };
  };

  const initialCommit: Array<() => void> = [];
  let current = build(initial, initialCommit);
  finish(initialCommit);

  return {
    current: () => current,
    replace(config) {
      const before = allPools.map((pool) => pool.keys());
      const commit: Array<() => void> = [];
      let next: Runtime;
      try {
        next = build(config, commit);
      } catch (error) {
        allPools.forEach((pool, i) => pool.discardExcept(before[i] as Set<string>));
        throw error;
      }
      const { built, gone } = finish(commit);
      const previous = current;
      current = next;
      if (gone.length > 0) {
        // Requests that started on the previous snapshot may still use these for as long as a request can last.
        const timer = setTimeout(() => {
          pendingCloses.delete(timer);
          gone.forEach((close) => close());
        }, longestRequestMs(previous.config));
        timer.unref();
        pendingCloses.set(timer, gone);
      }
      return { built };
    },
    close() {
      for (const [timer, gone] of pendingCloses) {
        clearTimeout(timer);
        gone.forEach((close) => close());
      }
      pendingCloses.clear();
      allPools.forEach((pool) => pool.closeAll());
    },
  };
};
