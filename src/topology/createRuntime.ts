// Everything the request path reads from the config's regions, credentials, projects, tiers and access, as one snapshot.
import { performance } from 'node:perf_hooks';
import { createProjectAccess, type ProjectAccess } from '../auth';
import type { Clock } from '../clock';
import { longestRequestMs } from '../config/requestBudget';
import type { GatewayConfig } from '../config/schema';
import { GatewayError } from '../errors/GatewayError';
import { createIamClient } from '../iam/createIamClient';
import { createSharedTokenFetcher } from '../iam/createSharedTokenFetcher';
import { IamTokenCache } from '../iam/IamTokenCache';
import type { IamTokenFetcher } from '../iam/IamToken';
import type { Logger } from '../logger';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import { createRateLimiters, type RateLimiters } from '../rate-limit/createRateLimiters';
import { createJobBudget, type JobBudget } from '../rate-limit/JobBudget';
import { createHttpClient, type HttpClient } from '../outbound/createHttpClient';
import type { Stores } from '../stores/createStores';
import { createPrecheckForwarder, type PrecheckForwarder } from '../upstream/createPrecheckForwarder';
import { createRegionBreaker, type CircuitState, type RegionBreaker } from '../upstream/createRegionBreaker';
import { createProjectResolver, type ProjectPlacement, type ResolveProject } from './resolveProject';

export type DependencyState = 'unknown' | 'up' | 'down';
export type DrsState = 'up' | `circuit-${Exclude<CircuitState, 'closed'>}`;

/** `dependencies.regions.<name>` on /readyz. */
export interface RegionState {
  drs: DrsState;
  /** The breaker's own state, for the per-region circuit gauge. */
  circuit: CircuitState;
  /** Whether the last IAM exchange of the region's credentials worked: down when any failed, up when any worked. */
  iam: DependencyState;
}

/** A served project: where it goes, and the pieces of its region and (credential, region) that take it there. */
export interface ServedProject extends ProjectPlacement {
  forwarder: PrecheckForwarder;
  tokens: IamTokenCache;
}

export interface Runtime {
  readonly config: GatewayConfig;
  /** A Map look-up; undefined for a project the gateway does not serve. */
  resolve: ResolveProject<ServedProject>;
  access: ProjectAccess;
  limiters: RateLimiters;
  budget: JobBudget;
  /** Routes each request to its project's region and credential (ProgressHub polls through this). */
  forwarder: PrecheckForwarder;
  /** No project: every cached token of every credential; a project: its credential's token for it. */
  invalidateTokens(projectId?: string): Promise<{ memory: number; shared: number }>;
  regions(): Record<string, RegionState>;
}

/** What lives as long as the process: injected services and the settings only a restart changes. */
export interface RuntimeServices {
  clock: Clock;
  logger: Logger;
  metrics: MetricsHooks;
  /** Every shared store, built once from the Redis connection (restart-only), or memory without it. */
  stores: Stores;
  /** The embedded simulator's URL for each region whose DRS or IAM endpoint is unset. */
  simulatorUrls: ReadonlyMap<string, string>;
  userAgent: string;
  /** Each region's breaker: consecutive faults that open it, and how long it stays open. */
  circuit: { failureThreshold: number; openMs: number };
}

/** The seam for reloading: the request path reads `current()` once per request; `replace` swaps the snapshot. */
export interface RuntimeHolder {
  current(): Runtime;
  /**
   * Builds a runtime from `config`, reusing every long-lived piece whose settings did not change (DRS and IAM HTTP
   * agents, circuit breakers, token caches, limiters) and closing, once requests that may still use them are over,
   * those that went away. Throws (a ConfigError for a project naming an unknown region or credential, or a region
   * without endpoints that has no embedded simulator) and keeps the running snapshot when it cannot.
   */
  replace(config: GatewayConfig): void;
  /** Destroys every agent and breaker (shutdown). */
  close(): void;
}

interface DrsRegion {
  name: string;
  http: HttpClient;
  breaker: RegionBreaker;
}

interface TokenLine {
  cache: IamTokenCache;
  state: DependencyState;
  /** Swapped when the credential's password changes, so a rotated password is used at the next fetch and cached tokens stay. */
  iam: IamTokenFetcher;
  password: string;
}

interface Pooled<T> {
  value: T;
  close(): void;
}

/** Long-lived pieces by the settings that shape them; `sweep` closes the ones the latest build did not ask for. */
class Pool<T> {
  private readonly entries = new Map<string, Pooled<T>>();
  private used = new Set<string>();

  take(key: string, build: () => Pooled<T>): T {
    this.used.add(key);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = build();
      this.entries.set(key, entry);
    }
    return entry.value;
  }

  /** Returns the closers of entries the last build did not take, removed from the pool. */
  sweep(): Array<() => void> {
    const gone: Array<() => void> = [];
    for (const [key, entry] of this.entries) {
      if (this.used.has(key)) continue;
      this.entries.delete(key);
      gone.push(() => entry.close());
    }
    this.used = new Set();
    return gone;
  }

  /** After a failed build: closes what it created (keys not in `kept`) and forgets what it took. */
  discardExcept(kept: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) {
      if (kept.has(key)) continue;
      this.entries.delete(key);
      entry.close();
    }
    this.used = new Set();
  }

  keys(): Set<string> {
    return new Set(this.entries.keys());
  }

  closeAll(): void {
    for (const entry of this.entries.values()) entry.close();
    this.entries.clear();
  }
}

const key = (...parts: Array<string | number | undefined>): string => JSON.stringify(parts);

const BEST_DRS: readonly DrsState[] = ['up', 'circuit-half-open', 'circuit-open'];

export const createRuntimeHolder = (initial: GatewayConfig, services: RuntimeServices): RuntimeHolder => {
  const { clock, logger, metrics, stores } = services;
  const drsPool = new Pool<DrsRegion>();
  const iamHttpPool = new Pool<HttpClient>();
  const tokenPool = new Pool<TokenLine>();
  const limiterPool = new Pool<RateLimiters>();
  /** Pieces that went away in a reload, closed once no request that may use them can still be running. */
  const pendingCloses = new Map<NodeJS.Timeout, Array<() => void>>();

  const endpointOf = (region: string, endpoint: string | undefined): string => {
    if (endpoint !== undefined) return endpoint;
    const url = services.simulatorUrls.get(region);
    if (url === undefined) throw new Error(`region ${region} has no endpoint and no embedded simulator; a new simulator region needs a restart`);
    return url;
  };

  const drsRegion = (config: GatewayConfig, name: string): DrsRegion => {
    const endpoint = endpointOf(name, config.regions[name]?.drsEndpoint);
    const { timeoutMs, maxResponseBytes } = config.drs;
    return drsPool.take(key(name, endpoint, timeoutMs, maxResponseBytes), () => {
      const http = createHttpClient({ baseURL: endpoint, timeoutMs, maxResponseBytes, userAgent: services.userAgent });
      const breaker = createRegionBreaker({
        clock,
        ...services.circuit,
        onStateChange: (state) => logger.warn({ region: name, circuit: state }, 'DRS circuit state changed'),
      });
      return { value: { name, http, breaker }, close: () => (http.close(), breaker.dispose()) };
    });
  };

  const iamHttp = (config: GatewayConfig, endpoint: string): HttpClient =>
    iamHttpPool.take(key(endpoint, config.iam.timeoutMs), () => {
      const http = createHttpClient({ baseURL: endpoint, timeoutMs: config.iam.timeoutMs, maxResponseBytes: 256 * 1024, userAgent: services.userAgent });
      return { value: http, close: () => http.close() };
    });

  /** `commit` collects changes to shared pieces that only a successful build may make. */
  const tokenLine = (config: GatewayConfig, regionName: string, credentialName: string, commit: Array<() => void>): TokenLine => {
    const endpoint = endpointOf(regionName, config.regions[regionName]?.iamEndpoint);
    const credential = config.credentials[credentialName] as GatewayConfig['credentials'][string];
    const http = iamHttp(config, endpoint);
    const iamClient = () => createIamClient({ http, domainName: credential.domainName, userName: credential.userName, password: credential.password, region: regionName, clock, logger });
    const line = tokenPool.take(key(endpoint, config.iam.timeoutMs, config.iam.refreshMarginMs, credential.domainName, credential.userName), () => {
      const self: TokenLine = { state: 'unknown', iam: iamClient(), password: credential.password, cache: undefined as unknown as IamTokenCache };
      const observed: IamTokenFetcher = {
        async fetchToken(projectId, parent) {
          const started = performance.now();
          try {
            const token = await self.iam.fetchToken(projectId, parent);
            metrics.iamFetch('ok', regionName, (performance.now() - started) / 1000);
            self.state = 'up';
            return token;
          } catch (error) {
            metrics.iamFetch('error', regionName, (performance.now() - started) / 1000);
            // IAM refusing the credentials still proves IAM is reachable.
            self.state = (error as { code?: string }).code === 'GW.3001' ? 'up' : 'down';
            throw error;
          }
        },
      };
      const sharedStore = stores.tokens(credential);
      const shared =
        sharedStore
          ? createSharedTokenFetcher({
              store: sharedStore,
              iam: observed,
              clock,
              refreshMarginMs: config.iam.refreshMarginMs,
              lockTtlMs: config.iam.timeoutMs + 1_000,
              metrics,
              logger,
            })
          : undefined;
      self.cache = new IamTokenCache({ fetcher: shared ?? observed, shared, clock, refreshMarginMs: config.iam.refreshMarginMs, logger, metrics, region: regionName });
      return { value: self, close: () => undefined };
    });
    if (line.password !== credential.password) {
      commit.push(() => {
        line.iam = iamClient();
        line.password = credential.password;
      });
    }
    return line;
  };

  const limiters = (config: GatewayConfig): RateLimiters => {
    const { max, windowMs, ipMax, ipWindowMs, tiers, onStoreError } = config.rateLimit;
    return limiterPool.take(key(JSON.stringify({ max, windowMs, ipMax, ipWindowMs, tiers, onStoreError })), () => ({
      value: createRateLimiters(
        { max, windowMs, ipMax, ipWindowMs, tiers },
        {
          metrics,
          clock,
          // The built-in limiters keep their keys (gw:rl:ip:, gw:rl:caller:); a tier counts under gw:rl:tier:<name>:.
          storeFor: (name, counted) => stores.rateLimit(name === 'ip' || name === 'caller' ? name : `tier:${name}`, counted),
          topCallers: stores.topCallers,
        },
      ),
      close: () => undefined,
    }));
  };

  const build = (config: GatewayConfig, commit: Array<() => void>): Runtime => {
    const regionsInUse = new Map<string, DrsRegion>();
    const linesByRegion = new Map<string, TokenLine[]>();
    const lines = new Set<TokenLine>();
    const forwarders = new Map<string, ServedProject>();
    const resolve = createProjectResolver(config, (placement): ServedProject => {
      const pairKey = key(placement.region, placement.credential, placement.jobBudget);
      const known = forwarders.get(pairKey);
      if (known) return known;
      let region = regionsInUse.get(placement.region);
      if (!region) {
        region = drsRegion(config, placement.region);
        regionsInUse.set(placement.region, region);
      }
      const line = tokenLine(config, placement.region, placement.credential, commit);
      lines.add(line);
      linesByRegion.set(placement.region, [...(linesByRegion.get(placement.region) ?? []), line]);
      const served = { ...placement, tokens: line.cache, forwarder: createPrecheckForwarder({ http: region.http, tokens: line.cache, breaker: region.breaker, clock, region: placement.region, metrics }) };
      forwarders.set(pairKey, served);
      return served;
    });
    const regionState = (name: string, region: DrsRegion): RegionState => {
      const states = new Set((linesByRegion.get(name) ?? []).map((line) => line.state));
      return {
        drs: region.breaker.state === 'closed' ? 'up' : `circuit-${region.breaker.state}`,
        circuit: region.breaker.state,
        iam: states.has('down') ? 'down' : states.has('up') ? 'up' : 'unknown',
      };
    };
    return {
      config,
      resolve,
      access: createProjectAccess(config.access),
      limiters: limiters(config),
      budget: createJobBudget({ windowMs: config.rateLimit.projectJobBudgetWindowMs, stores: stores.jobBudget, metrics }),
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

  const pools = [drsPool, iamHttpPool, tokenPool, limiterPool] as const;
  let current = build(initial, []);
  pools.forEach((pool) => pool.sweep());

  return {
    current: () => current,
    replace(config) {
      const before = pools.map((pool) => pool.keys());
      const commit: Array<() => void> = [];
      let next: Runtime;
      try {
        next = build(config, commit);
      } catch (error) {
        pools.forEach((pool, i) => pool.discardExcept(before[i] as Set<string>));
        throw error;
      }
      commit.forEach((apply) => apply());
      const previous = current;
      current = next;
      const gone = pools.flatMap((pool) => pool.sweep());
      if (gone.length === 0) return;
      // Requests that started on the previous snapshot may still use these for as long as a request can last.
      const timer = setTimeout(() => {
        pendingCloses.delete(timer);
        gone.forEach((close) => close());
      }, longestRequestMs(previous.config));
      timer.unref();
      pendingCloses.set(timer, gone);
    },
    close() {
      for (const [timer, gone] of pendingCloses) {
        clearTimeout(timer);
        gone.forEach((close) => close());
      }
      pendingCloses.clear();
      pools.forEach((pool) => pool.closeAll());
    },
  };
};

/** The best state among regions, for the flat `upstream` entry /readyz kept from the one-region gateway. */
export const bestDrsState = (regions: Record<string, RegionState>): DrsState =>
  BEST_DRS.find((state) => Object.values(regions).some((region) => region.drs === state)) ?? 'up';
