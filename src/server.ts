// Composition root: builds the gateway's parts from a validated configuration, then listens; stop() closes the parts in dependency order.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTokenVerifier, type TokenVerifier } from './auth';
import { systemClock, type Clock } from './clock';
import { ConfigHolder, type ReloadCheck } from './config/ConfigHolder';
import { redactConfig } from './config/redactConfig';
import { longestRequestMs, shutdownGraceMs } from './config/requestBudget';
import type { GatewayConfig } from './config/schema';
import { DRS_ROUTE_TABLE, type DrsRouteTable } from './drs/drsRouteTable';
import { answerClientError } from './http/clientError';
import { serveConnect } from './http/connectMethod';
import { createApp } from './http/createApp';
import { createListener } from './http/createListener';
import type { Phase } from './http/healthRoutes';
import { createMetricsApp } from './http/metricsRoutes';
import { createIdempotency } from './idempotency/createIdempotency';
import { Parts } from './lifecycle/Parts';
import { createLogger, type Logger } from './logger';
import { fanOut } from './metrics/fanOut';
import type { MetricsHooks } from './metrics/MetricsHooks';
import { circuitStateValue, PromMetrics } from './metrics/PromMetrics';
import { OVERLOAD_SAMPLE_MS, OverloadMonitor, processReadings, type OverloadReadings } from './overload/OverloadMonitor';
import { ProgressHub } from './progress/ProgressHub';
import { createStreamSlots } from './progress/StreamSlots';
import { createRedisConnection, type RedisConnection } from './redis';
import { createStores } from './stores/createStores';
import { createAuditTrail } from './telemetry/AuditLog';
import { createTracing } from './telemetry/createTracing';
import { createRuntimeHolder, type RuntimeHolder } from './topology/createRuntimeHolder';
import { bestDrsState } from './topology/Runtime';
import type { ForwardRequest } from './upstream/createPrecheckForwarder';
import { GATEWAY_VERSION } from './version';

export const USER_AGENT = `drs-precheck-gateway/${GATEWAY_VERSION}`;

/** A region's circuit opens after this many consecutive upstream faults... */
export const CIRCUIT_FAILURE_THRESHOLD = 5;
/** ...and lets one probe through after this long. */
export const CIRCUIT_OPEN_MS = 10_000;

export interface GatewayOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Lines the logger's own destination dropped so far (main.ts: stdout's); the log-drop counter's `stdout` series. */
  logLinesDropped?: () => number;
  /** Replaces the process's event-loop delay and heap readings that decide overload shedding... */
  overloadReadings?: OverloadReadings;
  /** ...and how often they are taken (OVERLOAD_SAMPLE_MS), so tests need not wait a second for each decision. */
  overloadSampleMs?: number;
  /** Replaces the verifier built from config.jwt (tests that exercise JWKS supply their own key source this way). */
  verifier?: TokenVerifier;
  /** Receives every metrics event as well as the Prometheus exporter. */
  metrics?: MetricsHooks;
  /** How long a region's circuit stays open (10 s), timed on the injected clock. */
  circuitOpenMs?: number;
  /**
   * The sandbox: the embedded simulator's URL for each region whose DRS or IAM endpoint is unset. The caller starts
   * them before the gateway and stops them after it (src/sandbox/startSandboxSimulators.ts).
   */
  simulatorUrls?: Readonly<Record<string, string>>;
  /** The DRS routes served (DRS_ROUTE_TABLE); the route-table test passes a copy with a row added. */
  drsRoutes?: DrsRouteTable;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** Set when METRICS_PORT gives /metrics its own listener. */
  metricsUrl?: string;
  /** The running configuration's request-path pieces, rebuilt by `replace(config)` on every successful reload. */
  runtime: RuntimeHolder;
  /** The running configuration; reload() is what SIGHUP and POST /admin/config/reload call. */
  config: ConfigHolder;
  /** Present when Redis is configured. */
  redis?: RedisConnection;
  /**
   * Closes every part: the public listener first (/readyz 503 and `Connection: close` at once, the listener closed
   * after SHUTDOWN_DELAY_MS, in-flight requests given the effective grace), then, together, what its requests used,
   * each within its own deadline. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
  /** The longest stop() can take under the running configuration: its slowest chain of close deadlines. */
  closeWithinMs(): number;
}

const connectRedis = (config: GatewayConfig, logger: Logger): RedisConnection | undefined => {
  const { url, sentinel, cluster, commandTimeoutMs, connectTimeoutMs } = config.redis;
  if (url === undefined && sentinel === undefined && cluster === undefined) return undefined;
  return createRedisConnection({ url, sentinel, cluster, commandTimeoutMs, connectTimeoutMs }, logger);
};

/** A URL a local client can use for a listener (an any-address IPv4 listener is reached on 127.0.0.1). */
const urlOf = (host: string, port: number): string => {
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return `http://${bracketed === '0.0.0.0' ? '127.0.0.1' : bracketed}:${port}`;
};

/** The close deadline of every part but the public listener (Redis, the metrics listener, the audit file, tracing). */
export const CLOSE_STEP_MS = 2_000;
/** How much sooner than its part's deadline a close that flushes gives up by itself, so it closes its sockets and files rather than being cut. */
export const FLUSH_MARGIN_MS = 250;
const FLUSH_MS = CLOSE_STEP_MS - FLUSH_MARGIN_MS;
/** A scrape is short: the metrics listener lets the last one finish for this long, then drops it. */
const SCRAPE_GRACE_MS = 1_000;

/** What the log destination may take to write its last lines before the process exits anyway. */
export const LOG_FLUSH_MS = 1_000;
/** main.ts cuts the gateway's stop this much after the gateway's own deadlines would have cut its parts. */
export const SHUTDOWN_SLACK_MS = 1_000;

/** The public listener's close deadline: the delay, the effective grace, and a step for the close once the grace is over. */
const listenerCloseMs = (config: Pick<GatewayConfig, 'iam' | 'drs' | 'server'>): number =>
  config.server.shutdownDelayMs + shutdownGraceMs(config) + CLOSE_STEP_MS;

/**
 * The longest main.ts takes from SIGTERM to its exit: the public listener's close, then the parts its requests used
 * (closed together, each within CLOSE_STEP_MS), the slack and the log flush. An orchestrator's kill deadline
 * (Kubernetes terminationGracePeriodSeconds) must lie beyond it.
 */
export const exitDeadlineMs = (config: Pick<GatewayConfig, 'iam' | 'drs' | 'server'>): number => listenerCloseMs(config) + CLOSE_STEP_MS + SHUTDOWN_SLACK_MS + LOG_FLUSH_MS;

/** A region whose endpoint is unset needs an embedded simulator, which only starts with the gateway. */
const simulatorCheck =
  (simulatorUrls: Readonly<Record<string, string>>): ReloadCheck =>
  (next) =>
    Object.entries(next.regions).flatMap(([name, region]) =>
      (['drsEndpoint', 'iamEndpoint'] as const)
        .filter((key) => region[key] === undefined && simulatorUrls[name] === undefined)
        .map((key) => ({ key: `regions.${name}.${key}`, problem: 'unset means an embedded simulator, which only starts with the gateway: set the endpoint or restart' })),
    );

/**
 * `source` is a ConfigHolder (main.ts: reloads re-read the sources) or a fixed configuration (tests: a reload
 * re-applies it). What a reload may change lives in the runtime, rebuilt on every change; the rest is read once here.
 * Every part is added as it is built, after the parts it uses; when the start fails at any step, the parts built so
 * far are closed before the error is thrown, so nothing is left open.
 */
export const startGateway = async (source: GatewayConfig | ConfigHolder, overrides: GatewayOverrides = {}): Promise<RunningGateway> => {
  const clock = overrides.clock ?? systemClock;
  const configHolder = source instanceof ConfigHolder ? source : new ConfigHolder({ loaded: { config: source, generatedJwtSecret: false, fileSettings: {} }, clock });
  const config = configHolder.current().config;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const simulatorUrls = overrides.simulatorUrls ?? {};
  const parts = new Parts(logger);
  try {
    return await buildAndListen({ config, configHolder, clock, logger, simulatorUrls, overrides, parts });
  } catch (error) {
    const { cutShort } = await parts.close();
    logger.error({ reason: (error as Error).message, cutShort }, 'gateway did not start; every part it had built is closed');
    throw error;
  }
};

interface Build {
  config: GatewayConfig;
  configHolder: ConfigHolder;
  clock: Clock;
  logger: Logger;
  simulatorUrls: Readonly<Record<string, string>>;
  overrides: GatewayOverrides;
  parts: Parts;
}

/** Where the gateway's records leave it: the audit file and the trace exporter. */
const buildTelemetry = async ({ config, logger, parts }: Build) => {
  const audit = createAuditTrail(logger, config.auditLog);
  parts.add({ name: 'audit file', closeWithinMs: CLOSE_STEP_MS, close: () => audit.close(FLUSH_MS) });
  // Restart-only: spans of a request in flight during a reload still go to the exporter they started with.
  const tracing = await createTracing(config.tracing, { version: GATEWAY_VERSION, logger });
  // Closed after the listener, so the spans of the last requests are ended and go out in this final batch.
  parts.add({ name: 'tracing', closeWithinMs: CLOSE_STEP_MS, close: () => tracing.shutdown(FLUSH_MS) });
  return { audit, tracing };
};

/**
 * The state behind the request path: Redis, the stores on it, the metrics, the overload monitor, and the runtime a
 * reload rebuilds.
 */
const buildState = ({ config, clock, logger, simulatorUrls, overrides, parts }: Build, { audit }: Telemetry, openStreams: () => number) => {
  const redis = connectRedis(config, logger);
  if (redis) parts.add({ name: 'redis', closeWithinMs: CLOSE_STEP_MS, close: () => redis.close() });
  const overload = new OverloadMonitor({
    readings: overrides.overloadReadings ?? processReadings(),
    // The running configuration's thresholds: a reload changes them from the next sample.
    limits: () => running.current().overloadLimits,
    clock,
    onChange: (status) => {
      if (status.state === 'shedding') logger.warn({ overload: status }, 'overloaded: shedding /v3 requests (503 GW.5031)');
      else logger.info({ overload: status }, 'no longer overloaded: serving /v3 requests again');
    },
  });
  const logLinesDropped = overrides.logLinesDropped;
  const auditLinesDropped = audit.droppedLines;
  const drsRoutes = overrides.drsRoutes ?? DRS_ROUTE_TABLE;
  const prom = new PromMetrics({
    upstreamOperations: [...drsRoutes.map((route) => route.name), 'progress-poll'],
    sources: {
      // Read at scrape time, once `running` (built with these metrics) exists.
      circuitStates: () => Object.fromEntries(Object.entries(running.current().regions()).map(([name, region]) => [name, circuitStateValue(region.circuit)])),
      redisUp: redis ? () => (redis.status() === 'up' ? 1 : 0) : undefined,
      openStreams,
      logLinesDropped: () => ({
        ...(logLinesDropped && { stdout: logLinesDropped() }),
        ...(auditLinesDropped && { 'audit-file': auditLinesDropped() }),
      }),
      overloadShedding: () => (overload.shedding ? 1 : 0),
    },
    clock,
  });
  const metrics = overrides.metrics ? fanOut(prom, overrides.metrics) : prom;
  const idempotencyAcks = { replicas: config.redis.waitReplicas ?? (config.redis.sentinel === undefined ? 0 : 1), timeoutMs: config.redis.waitTimeoutMs };
  const stores = createStores({ redis: redis?.client, tokenCacheKey: config.redis.tokenCacheKey, onStoreError: config.rateLimit.onStoreError, idempotencyAcks, clock, metrics, logger });
  const running: RuntimeHolder = createRuntimeHolder(config, {
    clock,
    logger,
    metrics,
    stores,
    simulatorUrls: new Map(Object.entries(simulatorUrls)),
    userAgent: USER_AGENT,
    circuit: { failureThreshold: CIRCUIT_FAILURE_THRESHOLD, openMs: overrides.circuitOpenMs ?? CIRCUIT_OPEN_MS },
  });
  parts.add({ name: 'runtime', closeWithinMs: CLOSE_STEP_MS, close: () => running.close() });
  const stopSampling = overload.start(overrides.overloadSampleMs ?? OVERLOAD_SAMPLE_MS);
  parts.add({ name: 'overload monitor', closeWithinMs: CLOSE_STEP_MS, close: async () => stopSampling() });
  return { redis, prom, metrics, stores, running, overload, drsRoutes };
};

type Telemetry = Awaited<ReturnType<typeof buildTelemetry>>;
type State = ReturnType<typeof buildState>;

/** The public Express app and what it alone uses: the token verifier, the progress streams and their caps. */
const buildApp = (build: Build, { audit, tracing }: Telemetry, { redis, prom, metrics, stores, running, overload, drsRoutes }: State, phase: () => Phase, listenerClosing: AbortSignal) => {
  const { config, configHolder, clock, logger, overrides } = build;
  const verifier =
    overrides.verifier ??
    createTokenVerifier({
      secret: config.jwt.secret,
      publicKey: config.jwt.publicKey,
      jwksUri: config.jwt.jwksUri,
      algorithms: config.jwt.algorithms,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      clockToleranceMs: config.jwt.clockToleranceMs,
      clock,
      logger,
    });
  const slots = createStreamSlots({
    perCaller: config.progress.streamsPerCaller,
    perIp: config.progress.streamsPerIp,
    // Renewed every heartbeat: a lease outlives its stream only when the instance died, and then by at most this.
    leaseMs: 2 * config.progress.heartbeatMs + 5_000,
    ...stores.streamSlots,
    clock,
    metrics,
    logger,
  });
  /** ProgressHub keeps one forwarder; each poll goes to the running snapshot's router, hence to the job's region. */
  const forwarder = { forward: (request: ForwardRequest) => running.current().forwarder.forward(request) };
  const app = createApp({
    logger,
    audit: audit.log,
    verifier,
    progress: {
      hub: new ProgressHub({ forwarder, share: stores.progress, intervalMs: config.progress.pollIntervalMs, logger, metrics }),
      slots,
      clock,
      heartbeatMs: config.progress.heartbeatMs,
      shutdown: listenerClosing,
      maxStreamMs: config.progress.maxStreamMs,
    },
    overload,
    readiness: {
      phase,
      overload: () => overload.status(),
      dependencies: () => {
        const regions = running.current().regions();
        const iamStates = new Set(Object.values(regions).map((region) => region.iam));
        return {
          redis: redis?.status() ?? 'disabled',
          iam: iamStates.has('up') ? 'up' : iamStates.has('unknown') ? 'unknown' : 'down',
          upstream: bestDrsState(regions),
          regions,
        };
      },
    },
    metrics: prom,
    effectiveConfig: () => {
      const current = configHolder.current();
      return { version: current.version, lastReload: configHolder.lastReload(), ...redactConfig(current.config) };
    },
    config: configHolder,
    runtime: running,
    idempotency: createIdempotency({ stores: stores.idempotency, inFlightTtlMs: () => longestRequestMs(running.current().config) }),
    trustProxy: config.server.trustProxy,
    bodyLimitBytes: config.server.bodyLimitBytes,
    corsOrigins: config.cors.origins,
    errorTypeBase: config.errorTypeBase,
    publicMetrics: config.metrics.port === undefined,
    tracer: tracing.requests,
    drsRoutes,
  });
  return { app, slots };
};

/**
 * The seam for reloads: each listener swaps what it owns; what a check refuses never reaches them. The loader has
 * checked every reference the runtime resolves, so a rebuild failing here would be a bug: it is logged, not fatal.
 */
const subscribeToReloads = ({ configHolder, logger, simulatorUrls, parts }: Build, { prom, running }: State): void => {
  const subscriptions = [
    configHolder.addCheck(simulatorCheck(simulatorUrls)),
    configHolder.onReload((result) => prom.configReload(result.ok ? 'success' : 'failure')),
    configHolder.onChange(({ config: next, version }) => {
      prom.configRunning(version.hash);
      prom.regionsConfigured(Object.keys(next.regions));
      try {
        const { built } = running.replace(next);
        logger.info({ version: version.hash, built }, 'request path rebuilt from the new configuration');
      } catch (error) {
        logger.error({ reason: (error as Error).message }, 'request path kept its previous configuration: rebuild failed');
      }
    }),
  ];
  prom.configRunning(configHolder.current().version.hash);
  prom.regionsConfigured(Object.keys(configHolder.current().config.regions));
  // Added after the public listener, which does not use it, so both close at once: no reload rebuilds a closing runtime.
  parts.add({ name: 'reloads', dependsOn: ['runtime'], closeWithinMs: CLOSE_STEP_MS, close: () => subscriptions.forEach((unsubscribe) => unsubscribe()) });
};

const buildAndListen = async (build: Build): Promise<RunningGateway> => {
  const { config, logger, simulatorUrls, parts } = build;
  let phase: Phase = 'starting';
  const telemetry = await buildTelemetry(build);
  const state = buildState(build, telemetry, () => slots.openHere());
  const { running } = state;
  // Aborted when the listener closes: long-lived responses (progress streams) end then rather than hold the drain.
  const listenerClosing = new AbortController();
  // One listener per open progress stream, bounded by the stream caps; Node's default of 10 would warn of a leak.
  setMaxListeners(0, listenerClosing.signal);
  const { app, slots } = buildApp(build, telemetry, state, () => phase, listenerClosing.signal);

  const metricsListener = config.metrics.port === undefined ? undefined : createListener(createMetricsApp({ metrics: state.prom, logger, errorTypeBase: config.errorTypeBase }));
  // Scrapes stay possible while callers drain: the public listener, which uses every part before it, closes first.
  if (metricsListener) parts.add({ name: 'metrics listener', closeWithinMs: CLOSE_STEP_MS, close: () => metricsListener.close(SCRAPE_GRACE_MS) });
  const listener = createListener(app, config.server, (server) => {
    // What Node's parser refuses is answered in the error format too, not with Node's bare status line.
    server.on('clientError', answerClientError(logger, config.errorTypeBase));
    // An Expect other than 100-continue is served like any request (RFC 9110 lets a server ignore it), not refused
    // with Node's bare 417, which no error format covers.
    server.on('checkExpectation', app);
    server.on('connect', serveConnect(app, logger, config.errorTypeBase));
  });
  parts.add({
    name: 'public listener',
    // Every part built so far serves its requests (or, the metrics listener, counts them).
    dependsOn: parts.names(),
    // The running timeouts, which a reload may have changed since the start, decide how long a request can still take.
    closeWithinMs: () => listenerCloseMs(running.current().config),
    close: async () => {
      if (!listener.listening()) return;
      phase = 'draining';
      const graceMs = shutdownGraceMs(running.current().config);
      listener.begin();
      logger.info({ delayMs: config.server.shutdownDelayMs, graceMs }, 'draining: readiness 503, listener closes after the delay');
      if (config.server.shutdownDelayMs > 0) await sleep(config.server.shutdownDelayMs);
      const closed = listener.close(graceMs);
      listenerClosing.abort();
      await closed;
    },
  });
  subscribeToReloads(build, state);

  // Listening comes last: the metrics listener first, so the public one is never up without it.
  const metricsPort = await metricsListener?.listen(config.metrics.port as number, config.metrics.host);
  const port = await listener.listen(config.server.port, config.server.host);
  phase = 'ready';
  logger.info({ port, sandbox: Object.keys(simulatorUrls).length > 0 }, 'gateway listening');
  const metricsUrl = metricsPort === undefined ? undefined : urlOf(config.metrics.host, metricsPort);
  if (metricsUrl) logger.info({ metricsUrl }, 'metrics listening');

  let stopping: Promise<void> | undefined;
  return {
    url: urlOf(config.server.host, port),
    port,
    metricsUrl,
    runtime: running,
    config: build.configHolder,
    redis: state.redis,
    stop() {
      stopping ??= parts.close().then(({ cutShort }) => logger.info({ cutShort }, 'gateway stopped'));
      return stopping;
    },
    closeWithinMs: () => parts.longestCloseMs(),
  };
};
