// What the request path reads from the config's regions, credentials, projects, tiers and access: one snapshot per configuration.
import type { OverloadLimits } from '../overload/OverloadMonitor';
import type { ProjectAccess } from '../auth';
import type { Clock } from '../clock';
import type { GatewayConfig } from '../config/schema';
import type { IamTokenCache } from '../iam/IamTokenCache';
import type { Logger } from '../logger';
import type { MetricsHooks } from '../metrics/MetricsHooks';
import type { JobBudget } from '../rate-limit/JobBudget';
import type { RateLimiters } from '../rate-limit/createRateLimiters';
import type { Stores } from '../stores/createStores';
import type { PrecheckForwarder } from '../upstream/createPrecheckForwarder';
import type { CircuitState } from '../upstream/createRegionBreaker';
import type { ProjectPlacement, ResolveProject } from './resolveProject';

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
  /** The overload monitor's thresholds, read at every sample. */
  overloadLimits: OverloadLimits;
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

const BEST_DRS: readonly DrsState[] = ['up', 'circuit-half-open', 'circuit-open'];

/** The best state among regions, for the flat `upstream` entry /readyz kept from the one-region gateway. */
export const bestDrsState = (regions: Record<string, RegionState>): DrsState =>
  BEST_DRS.find((state) => Object.values(regions).some((region) => region.drs === state)) ?? 'up';
