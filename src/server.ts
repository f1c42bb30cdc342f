// Composition root: turns a validated configuration into a listening gateway with a stop() that leaves nothing open.
import { once, setMaxListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTokenVerifier, type TokenVerifier } from './auth';
import { withDeadline } from './auth/withDeadline';
import { systemClock, type Clock } from './clock';
import { ConfigHolder, type ReloadCheck } from './config/ConfigHolder';
import { redactConfig } from './config/redactConfig';
import { DEFAULT_NAME, type GatewayConfig } from './config/schema';
import { longestRequestMs, shutdownGraceMs } from './config/requestBudget';
import { DRS_ROUTE_TABLE, type DrsRouteTable } from './drs/drsRouteTable';
import { createApp } from './http/createApp';
import { createMetricsApp } from './http/metricsRoutes';
import { drainConnections } from './http/drainConnections';
import type { Phase } from './http/healthRoutes';
import { createIdempotency } from './idempotency/createIdempotency';
import { createAuditTrail } from './telemetry/AuditLog';
import { createLogger, type Logger } from './logger';
import { fanOut } from './metrics/fanOut';
import type { MetricsHooks } from './metrics/MetricsHooks';
import { circuitStateValue, PromMetrics } from './metrics/PromMetrics';
import { OVERLOAD_SAMPLE_MS, OverloadMonitor, processReadings, type OverloadReadings } from './overload/OverloadMonitor';
import { ProgressHub } from './progress/ProgressHub';
import { createStreamSlots } from './progress/StreamSlots';
import { createRedisConnection, type RedisConnection } from './redis';
import { startSimulator, type Simulator } from './simulator/startSimulator';
import { createStores } from './stores/createStores';
import { createTracing } from './telemetry/createTracing';
import { bestDrsState, createRuntimeHolder, type RuntimeHolder } from './topology/createRuntime';
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
  /**
   * How long a region's circuit stays open (10 s). cockatiel reads Date.now() rather than the injected clock, so
   * tests shorten the period and wait instead.
   */
  circuitOpenMs?: number;
  /** The DRS routes served (DRS_ROUTE_TABLE); the route-table test passes a copy with a row added. */
  drsRoutes?: DrsRouteTable;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** Set when METRICS_PORT gives /metrics its own listener. */
  metricsUrl?: string;
  /** Set when an embedded simulator serves DRS or IAM (the sandbox): region `default`'s, else the first one started. */
  simulator?: Simulator;
  /** One embedded simulator per region whose DRS or IAM endpoint is unset. */
  simulators: Readonly<Record<string, Simulator>>;
  /** The running configuration's request-path pieces, rebuilt by `replace(config)` on every successful reload. */
  runtime: RuntimeHolder;
  /** The running configuration; reload() is what SIGHUP and POST /admin/config/reload call. */
  config: ConfigHolder;
  /** Present when Redis is configured. */
  redis?: RedisConnection;
  /**
   * Drains and closes everything: /readyz 503 and `Connection: close` at once, the listener closed after
   * SHUTDOWN_DELAY_MS, in-flight requests given the effective grace, then every client closed within a deadline.
   * Calling it again returns the same promise.
   */
  stop(): Promise<void>;
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

/** How long each client (Redis, simulator) may take to close once the HTTP drain is over. */
export const CLOSE_STEP_MS = 2_000;
/** The trace exporter's own deadline, inside its close step, so it gives up (and closes its sockets) before the step is cut. */
const TRACE_FLUSH_MS = CLOSE_STEP_MS - 250;

/** What the log destination may take to write its last lines before the process exits anyway. */
export const LOG_FLUSH_MS = 1_000;

/**
 * From SIGTERM to main.ts's exit watchdog: the delay, the effective grace, the close steps, the log flush and 1 s of
 * slack. An orchestrator's kill deadline (Kubernetes terminationGracePeriodSeconds) must lie beyond it.
 */
export const exitDeadlineMs = (config: Pick<GatewayConfig, 'iam' | 'drs' | 'server'>): number =>
  config.server.shutdownDelayMs + shutdownGraceMs(config) + 2 * CLOSE_STEP_MS + LOG_FLUSH_MS + 1_000;

/**
 * Node only looks for expired header and request deadlines every connectionsCheckingInterval (30 s by default), so
 * a connection lived up to twice its timeout; a tenth of the shorter timeout keeps the overrun small.
 */
const checkingIntervalMs = (headersTimeoutMs: number): number => Math.min(1_000, Math.max(50, Math.floor(headersTimeoutMs / 10)));

/** A region whose endpoint is unset needs an embedded simulator, which only starts with the gateway. */
const simulatorCheck =
  (simulators: Readonly<Record<string, Simulator>>): ReloadCheck =>
  (next) =>
    Object.entries(next.regions).flatMap(([name, region]) =>
      (['drsEndpoint', 'iamEndpoint'] as const)
        .filter((key) => region[key] === undefined && simulators[name] === undefined)
        .map((key) => ({ key: `regions.${name}.${key}`, problem: 'unset means an embedded simulator, which only starts with the gateway: set the endpoint or restart' })),
    );

/**
 * `source` is a ConfigHolder (main.ts: reloads re-read the sources) or a fixed configuration (tests: a reload
 * re-applies it). What a reload may change lives in the runtime, rebuilt on every change; the rest is read once here.
 */
export const startGateway = async (source: GatewayConfig | ConfigHolder, overrides: GatewayOverrides = {}): Promise<RunningGateway> => {
  const clock = overrides.clock ?? systemClock;
  const configHolder = source instanceof ConfigHolder ? source : new ConfigHolder({ loaded: { config: source, generatedJwtSecret: false, fileSettings: {} }, clock });
  const config = configHolder.current().config;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const audit = createAuditTrail(logger, config.auditLog);
  // One simulator per region that lacks an endpoint; each knows every configured IAM user, as a real account would its own.
  const simulatorRegions = Object.entries(config.regions).filter(([, region]) => region.drsEndpoint === undefined || region.iamEndpoint === undefined);
  const users = Object.values(config.credentials).map((c) => ({ domain: c.domainName, name: c.userName, password: c.password }));
  const simulators: Record<string, Simulator> = Object.fromEntries(
    await Promise.all(simulatorRegions.map(async ([name]) => [name, await startSimulator({ clock, users })] as const)),
  );
  const needsSimulator = simulatorRegions.length > 0;
  const simulator = simulators[DEFAULT_NAME] ?? Object.values(simulators)[0];

  let phase: Phase = 'starting';
  // Restart-only: spans of a request in flight during a reload still go to the exporter they started with.
  const tracing = await createTracing(config.tracing, { version: GATEWAY_VERSION, logger });
  const redis = connectRedis(config, logger);
  const overload = new OverloadMonitor({
    readings: overrides.overloadReadings ?? processReadings(),
    // The running configuration's thresholds: a reload changes them from the next sample.
    limits: () => running.current().config.overload,
    clock,
    onChange: (status) => {
      if (status.state === 'shedding') logger.warn({ overload: status }, 'overloaded: shedding /v3 requests (503 GW.5031)');
      else logger.info({ overload: status }, 'no longer overloaded: serving /v3 requests again');
    },
  });
  const logLinesDropped = overrides.logLinesDropped;
  const auditLinesDropped = audit.droppedLines;
  const prom = new PromMetrics({
    sources: {
      // Read at scrape time, once `running` (built with these metrics) exists.
      circuitStates: () => Object.fromEntries(Object.entries(running.current().regions()).map(([name, region]) => [name, circuitStateValue(region.circuit)])),
      redisUp: redis ? () => (redis.status() === 'up' ? 1 : 0) : undefined,
      openStreams: () => slots.openHere(),
      logLinesDropped: () => ({
        ...(logLinesDropped && { stdout: logLinesDropped() }),
        ...(auditLinesDropped && { 'audit-file': auditLinesDropped() }),
      }),
      overloadShedding: () => (overload.shedding ? 1 : 0),
    },
    clock,
  });
  const metrics = overrides.metrics ? fanOut(prom, overrides.metrics) : prom;
  const stores = createStores({ redis: redis?.client, tokenCacheKey: config.redis.tokenCacheKey, onStoreError: config.rateLimit.onStoreError, clock, metrics, logger });
  const running: RuntimeHolder = createRuntimeHolder(config, {
    clock,
    logger,
    metrics,
    stores,
    simulatorUrls: new Map(Object.entries(simulators).map(([name, sim]) => [name, sim.url])),
    userAgent: USER_AGENT,
    circuit: { failureThreshold: CIRCUIT_FAILURE_THRESHOLD, openMs: overrides.circuitOpenMs ?? CIRCUIT_OPEN_MS },
  });
  prom.configRunning(configHolder.current().version.hash);
  // The seam for reloads: each listener swaps what it owns; what a check refuses never reaches them. The loader has
  // checked every reference the runtime resolves, so a rebuild failing here would be a bug: it is logged, not fatal.
  const configSubscriptions = [
    configHolder.addCheck(simulatorCheck(simulators)),
    configHolder.onReload((result) => prom.configReload(result.ok ? 'success' : 'failure')),
    configHolder.onChange(({ config: next, version }) => {
      prom.configRunning(version.hash);
      try {
        running.replace(next);
      } catch (error) {
        logger.error({ reason: (error as Error).message }, 'request path kept its previous configuration: rebuild failed');
      }
    }),
  ];
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
  // Aborted when the listener closes: long-lived responses (progress streams) end then rather than hold the drain.
  const listenerClosing = new AbortController();
  // One listener per open progress stream, bounded by the stream caps; Node's default of 10 would warn of a leak.
  setMaxListeners(0, listenerClosing.signal);
  const app = createApp({
    logger,
    audit: audit.log,
    verifier,
    progress: {
      hub: new ProgressHub({
        forwarder,
        share: stores.progress,
        intervalMs: config.progress.pollIntervalMs,
        logger,
        metrics,
      }),
      slots,
      clock,
      heartbeatMs: config.progress.heartbeatMs,
      shutdown: listenerClosing.signal,
      maxStreamMs: config.progress.maxStreamMs,
    },
    overload,
    readiness: {
      phase: () => phase,
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
    drsRoutes: overrides.drsRoutes ?? DRS_ROUTE_TABLE,
  });

  const metricsServer =
    config.metrics.port === undefined ? undefined : createMetricsApp({ metrics: prom, logger, errorTypeBase: config.errorTypeBase }).listen(config.metrics.port, config.metrics.host);
  if (metricsServer) await once(metricsServer, 'listening');
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.server;
  const server = createServer(
    { headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs, keepAliveTimeout: keepAliveTimeoutMs, connectionsCheckingInterval: checkingIntervalMs(headersTimeoutMs) },
    app,
  );
  const connections = drainConnections(server);
  server.listen(config.server.port, config.server.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const stopSampling = overload.start(overrides.overloadSampleMs ?? OVERLOAD_SAMPLE_MS);
  phase = 'ready';
  logger.info({ port, sandbox: needsSimulator }, 'gateway listening');
  const metricsUrl = metricsServer ? urlOf(config.metrics.host, (metricsServer.address() as AddressInfo).port) : undefined;
  if (metricsUrl) logger.info({ metricsUrl }, 'metrics listening');

  const closeStep = async (name: string, close: () => Promise<void>): Promise<void> => {
    await withDeadline(close, CLOSE_STEP_MS).catch((error: unknown) => logger.warn({ step: name, reason: (error as Error).message }, 'shutdown step cut short'));
  };
  let stopping: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    phase = 'draining';
    for (const unsubscribe of configSubscriptions) unsubscribe();
    // The running timeouts, which a reload may have changed since the start, decide how long a request can still take.
    const graceMs = shutdownGraceMs(running.current().config);
    connections.begin();
    logger.info({ delayMs: config.server.shutdownDelayMs, graceMs }, 'draining: readiness 503, listener closes after the delay');
    if (config.server.shutdownDelayMs > 0) await sleep(config.server.shutdownDelayMs);
    const closed = connections.close(graceMs);
    listenerClosing.abort();
    await closed;
    running.close();
    // Scrapes stay possible while callers drain; a scrape is short, so the close step's bound is plenty for the last.
    const closeMetrics = async (): Promise<void> => {
      if (!metricsServer) return;
      const closed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeIdleConnections();
      await closed;
    };
    await Promise.all([
      closeStep('redis', async () => redis?.close()),
      closeStep('simulator', async () => void (await Promise.all(Object.values(simulators).map((sim) => sim.stop())))),
      closeStep('metrics', closeMetrics).finally(() => metricsServer?.closeAllConnections()),
      closeStep('audit file', () => audit.close(CLOSE_STEP_MS)),
      // After the drain, so the spans of the last requests are ended and go out in this final batch.
      closeStep('tracing', () => tracing.shutdown(TRACE_FLUSH_MS)),
    ]);
    stopSampling();
    logger.info({}, 'gateway stopped');
  };

  return {
    url: urlOf(config.server.host, port),
    port,
    metricsUrl,
    simulator,
    simulators,
    runtime: running,
    config: configHolder,
    redis,
    stop() {
      stopping ??= drain();
      return stopping;
    },
  };
};
