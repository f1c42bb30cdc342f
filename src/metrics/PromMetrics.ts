// Prometheus metrics for one gateway instance (its own registry): the MetricsHooks events plus HTTP and process figures.
import { LRUCache } from 'lru-cache';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { systemClock, type Clock } from '../clock';
import { ERROR_CATALOGUE } from '../errors/catalogue';
import { OVERLOAD_REASONS, type OverloadReason } from '../overload/OverloadMonitor';
import { STATUS_CLASSES, type MetricsHooks, type StatusClass, type StoreName, type TokenCacheLevel, type UpstreamOperation } from './MetricsHooks';

export interface GaugeSources {
  /** Per region: 0 closed, 1 half-open, 2 open. */
  circuitStates(): Record<string, number>;
  /** 1 up, 0 down; absent when Redis is not configured. */
  redisUp?(): number;
  /** Progress streams this instance holds open. */
  openStreams?(): number;
  /** Per log destination (`stdout`, `audit-file`): lines dropped so far because its buffer was full. */
  logLinesDropped?(): Record<string, number>;
  /** 1 while the gateway sheds /v3 requests, 0 otherwise. */
  overloadShedding?(): number;
}

const CIRCUIT_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;
export const circuitStateValue = (state: keyof typeof CIRCUIT_STATES): number => CIRCUIT_STATES[state];

/** A scrape renders the registry at most this often; scrapers in between get the same text. */
export const SCRAPE_MAX_AGE_MS = 1_000;

/**
 * Label values come only from these sets, so no request can add a series: the methods the gateway serves (any other
 * is `other`), and the statuses it answers with (any other, such as a DRS status passed through, is its class, `4xx`).
 */
const LABELLED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'OPTIONS']);
const LABELLED_STATUSES: ReadonlySet<number> = new Set([200, 204, 304, ...Object.values(ERROR_CATALOGUE).map((entry) => entry.status)]);

export const methodLabel = (method: string): string => (LABELLED_METHODS.has(method) ? method : 'other');
export const statusLabel = (status: number): string => (LABELLED_STATUSES.has(status) ? String(status) : `${Math.floor(status / 100)}xx`);

export interface PromMetricsOptions {
  sources?: GaugeSources;
  /** The DRS operations a region's upstream series start at 0 for (see `regionsConfigured`). */
  upstreamOperations?: readonly UpstreamOperation[];
  /** Times the scrape cache; injected so tests control it. */
  clock?: Clock;
}

export class PromMetrics implements MetricsHooks {
  readonly registry = new Registry();
  private readonly tokenCacheHits = new Counter({ name: 'gateway_token_cache_hits_total', help: 'IAM token cache hits by level', labelNames: ['level'], registers: [this.registry] });
  private readonly iamFetches = new Counter({ name: 'gateway_iam_fetches_total', help: 'IAM token fetches by outcome', labelNames: ['outcome'], registers: [this.registry] });
  private readonly lockWaits = new Counter({ name: 'gateway_iam_lock_waits_total', help: "Waits for another instance's IAM fetch", registers: [this.registry] });
  private readonly rejections = new Counter({ name: 'gateway_rate_limit_rejections_total', help: 'Requests refused by a rate limiter', labelNames: ['limiter'], registers: [this.registry] });
  private readonly storeErrors = new Counter({ name: 'gateway_store_errors_total', help: 'Failed shared-store operations', labelNames: ['store'], registers: [this.registry] });
  private readonly configReloads = new Counter({ name: 'gateway_config_reloads_total', help: 'Configuration reloads (SIGHUP or POST /admin/config/reload) by outcome', labelNames: ['outcome'], registers: [this.registry] });
  private readonly configInfo = new Gauge({ name: 'gateway_config_info', help: 'The running configuration: 1 for its hash (sha256 of the non-secret settings)', labelNames: ['hash'], registers: [this.registry] });
  private readonly iamRefreshFailures = new Counter({
    name: 'gateway_iam_refresh_failures_total',
    help: 'Background IAM token refreshes that failed while the cached token was still served, by region',
    labelNames: ['region'],
    registers: [this.registry],
  });
  private readonly overloadSheds = new Counter({
    name: 'gateway_overload_shed_requests_total',
    help: 'Requests answered 503 GW.5031 because the gateway was overloaded, by the reading that crossed its threshold',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly progressPolls = new Counter({ name: 'gateway_progress_polls_total', help: 'DRS calls behind the progress streams by outcome (each attempt)', labelNames: ['outcome'], registers: [this.registry] });
  private readonly iamFetchSeconds = new Histogram({
    name: 'gateway_iam_fetch_duration_seconds',
    help: "IAM token requests from this instance by region and outcome",
    labelNames: ['region', 'outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly upstreamSeconds = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'DRS calls by region, operation and status class (error: no answer)',
    labelNames: ['region', 'operation', 'status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly requests = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'Time from request to response end, by route, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /**
   * One entry, fetched at most once per SCRAPE_MAX_AGE_MS and shared by concurrent scrapers, so a scrape flood costs
   * one render per second rather than one per request.
   */
  private readonly scrapes: LRUCache<'text', string>;
  private readonly upstreamOperations: readonly UpstreamOperation[];
  /** Regions whose histogram series exist: zeroing a histogram's series again would wipe what it has counted. */
  private readonly startedRegions = new Set<string>();

  constructor({ sources, upstreamOperations = [], clock = systemClock }: PromMetricsOptions = {}) {
    this.upstreamOperations = upstreamOperations;
    this.scrapes = new LRUCache<'text', string>({
      max: 1,
      ttl: SCRAPE_MAX_AGE_MS,
      // The cache's own clock reuse would hide an injected clock's steps.
      ttlResolution: 0,
      perf: clock,
      fetchMethod: () => this.registry.metrics(),
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
    // Both outcomes from the start, so a rate() over failures works before the first one.
    for (const outcome of ['success', 'failure'] as const) this.configReloads.inc({ outcome }, 0);
    for (const outcome of ['ok', 'error'] as const) {
      this.progressPolls.inc({ outcome }, 0);
      this.iamFetches.inc({ outcome }, 0);
    }
    for (const reason of OVERLOAD_REASONS) this.overloadSheds.inc({ reason }, 0);
    if (!sources) return;
    new Gauge({
      name: 'gateway_upstream_circuit_state',
      help: 'DRS circuit breaker per region: 0 closed, 1 half-open, 2 open',
      labelNames: ['region'],
      registers: [this.registry],
      collect() {
        // Reset first, so a region a reload removed stops being reported.
        this.reset();
        for (const [region, value] of Object.entries(sources.circuitStates())) this.set({ region }, value);
      },
    });
    const openStreams = sources.openStreams;
    if (openStreams) {
      new Gauge({
        name: 'gateway_progress_streams_open',
        help: 'Progress streams (server-sent events) this instance holds open',
        registers: [this.registry],
        collect() {
          this.set(openStreams());
        },
      });
    }
    const logLinesDropped = sources.logLinesDropped;
    if (logLinesDropped) {
      new Counter({
        name: 'gateway_log_lines_dropped_total',
        help: 'Log lines dropped because their destination (stdout, audit-file) had a full buffer of unwritten lines',
        labelNames: ['destination'],
        registers: [this.registry],
        // The destinations count for themselves (they exist before this registry); a scrape copies their totals.
        collect() {
          this.reset();
          for (const [destination, lines] of Object.entries(logLinesDropped())) this.inc({ destination }, lines);
        },
      });
    }
    const overloadShedding = sources.overloadShedding;
    if (overloadShedding) {
      new Gauge({
        name: 'gateway_overload_shedding',
        help: '1 while the gateway sheds /v3 requests (event-loop delay or heap over its threshold), 0 otherwise',
        registers: [this.registry],
        collect() {
          this.set(overloadShedding());
        },
      });
    }
    const redisUp = sources.redisUp;
    if (redisUp) {
      new Gauge({
        name: 'gateway_redis_up',
        help: 'Redis connection: 1 ready, 0 not',
        registers: [this.registry],
        collect() {
          this.set(redisUp());
        },
      });
    }
  }

  tokenCacheHit(level: TokenCacheLevel): void {
    this.tokenCacheHits.inc({ level });
  }

  /**
   * Every region-labelled series at 0 for each of `regions` not seen before, so a rate() or increase() (the refresh
   * alert's) counts a region's first event too. Called at start and on every reload; a removed region's series stay,
   * as counters do.
   */
  regionsConfigured(regions: Iterable<string>): void {
    for (const region of regions) {
      if (this.startedRegions.has(region)) continue;
      this.startedRegions.add(region);
      this.iamRefreshFailures.inc({ region }, 0);
      for (const outcome of ['ok', 'error'] as const) this.iamFetchSeconds.zero({ region, outcome });
      for (const operation of this.upstreamOperations) {
        for (const statusClass of STATUS_CLASSES) this.upstreamSeconds.zero({ region, operation, status_class: statusClass });
      }
    }
  }

  iamFetch(outcome: 'ok' | 'error', region: string, seconds: number): void {
    this.iamFetches.inc({ outcome });
    this.iamFetchSeconds.observe({ region, outcome }, seconds);
  }

  iamRefreshFailure(region: string): void {
    this.iamRefreshFailures.inc({ region });
  }

  upstreamRequest(region: string, operation: UpstreamOperation, statusClass: StatusClass, seconds: number): void {
    this.upstreamSeconds.observe({ region, operation, status_class: statusClass }, seconds);
  }

  progressPoll(outcome: 'ok' | 'error'): void {
    this.progressPolls.inc({ outcome });
  }

  lockWait(): void {
    this.lockWaits.inc();
  }

  limiterRejection(limiter: string): void {
    this.rejections.inc({ limiter });
  }

  storeError(store: StoreName): void {
    this.storeErrors.inc({ store });
  }

  overloadShed(reason: OverloadReason): void {
    this.overloadSheds.inc({ reason });
  }

  configReload(outcome: 'success' | 'failure'): void {
    this.configReloads.inc({ outcome });
  }

  /** One series only: the running hash's (a reload removes the previous one). */
  configRunning(hash: string): void {
    this.configInfo.reset();
    this.configInfo.set({ hash }, 1);
  }

  /** `route` must be a route pattern or a fixed word, never a raw path. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.observe({ route, method: methodLabel(method), status: statusLabel(status) }, seconds);
  }

  /** The Prometheus text, at most SCRAPE_MAX_AGE_MS old. */
  async scrape(): Promise<string> {
    return (await this.scrapes.fetch('text')) as string;
  }
}
