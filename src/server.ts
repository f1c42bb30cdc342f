// Composition root: turns a validated configuration into a listening gateway with a stop() that leaves nothing open.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTokenVerifier, type TokenVerifier } from './auth';
import { withDeadline } from './auth/withDeadline';
import { systemClock, type Clock } from './clock';
import { ConfigHolder, type ReloadCheck } from './config/ConfigHolder';
import { redactConfig } from './config/redactConfig';
import type { GatewayConfig } from './config/schema';
import { longestRequestMs, shutdownGraceMs } from './config/requestBudget';
import { createApp } from './http/createApp';
import { createMetricsApp } from './http/metricsRoutes';
import { drainConnections } from './http/drainConnections';
import type { Phase } from './http/healthRoutes';
import { createIamClient } from './iam/createIamClient';
import { createIdempotency } from './idempotency/createIdempotency';
import { IamTokenCache } from './iam/IamTokenCache';
import type { IamTokenFetcher } from './iam/IamToken';
import { createSharedTokenFetcher, type SharedTokenFetcher } from './iam/createSharedTokenFetcher';
import { createLogger, type Logger } from './logger';
import { fanOut } from './metrics/fanOut';
import type { MetricsHooks } from './metrics/MetricsHooks';
import { circuitStateValue, PromMetrics } from './metrics/PromMetrics';
import { ProgressHub } from './progress/ProgressHub';
import { createStreamSlots } from './progress/StreamSlots';
import { createRateLimiters } from './rate-limit/createRateLimiters';
import { createJobBudget } from './rate-limit/JobBudget';
import { createRedisConnection, type RedisConnection } from './redis';
import { startSimulator, type Simulator } from './simulator/startSimulator';
import { createStores } from './stores/createStores';
import { CircuitBreaker } from './upstream/CircuitBreaker';
import { createHttpClient } from './outbound/createHttpClient';
import { createPrecheckForwarder } from './upstream/createPrecheckForwarder';
import { GATEWAY_VERSION } from './version';

export const USER_AGENT = `drs-precheck-gateway/${GATEWAY_VERSION}`;

export interface GatewayOverrides {
  clock?: Clock;
  logger?: Logger;
  /** Replaces the verifier built from config.jwt (tests that exercise JWKS supply their own key source this way). */
  verifier?: TokenVerifier;
  /** Receives every metrics event as well as the Prometheus exporter. */
  metrics?: MetricsHooks;
}

export interface RunningGateway {
  url: string;
  port: number;
  /** Set when METRICS_PORT gives /metrics its own listener. */
  metricsUrl?: string;
  /** Set when the embedded simulator serves DRS or IAM (the sandbox). */
  simulator?: Simulator;
  tokenCache: IamTokenCache;
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

type DependencyState = 'unknown' | 'up' | 'down';

/** Records whether the last IAM exchange worked, for /readyz and metrics. */
const observeIam = (fetcher: IamTokenFetcher, metrics: MetricsHooks, onState: (state: DependencyState) => void): IamTokenFetcher => ({
  async fetchToken(projectId) {
    try {
      const token = await fetcher.fetchToken(projectId);
      metrics.iamFetch('ok');
      onState('up');
      return token;
    } catch (error) {
      metrics.iamFetch('error');
      onState((error as { code?: string }).code === 'GW.3001' ? 'up' : 'down');
      throw error;
    }
  },
});

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

/**
 * Node only looks for expired header and request deadlines every connectionsCheckingInterval (30 s by default), so
 * a connection lived up to twice its timeout; a tenth of the shorter timeout keeps the overrun small.
 */
const checkingIntervalMs = (headersTimeoutMs: number): number => Math.min(1_000, Math.max(50, Math.floor(headersTimeoutMs / 10)));

/** A region whose endpoint is unset needs the embedded simulator, which only starts with the gateway. */
const simulatorCheck =
  (simulator: Simulator | undefined): ReloadCheck =>
  (next) =>
    simulator
      ? []
      : Object.entries(next.regions).flatMap(([name, region]) =>
          (['drsEndpoint', 'iamEndpoint'] as const)
            .filter((key) => region[key] === undefined)
            .map((key) => ({ key: `regions.${name}.${key}`, problem: 'unset means the embedded simulator, which only starts with the gateway: set the endpoint or restart' })),
        );

/**
 * `source` is a ConfigHolder (main.ts: reloads re-read the sources) or a fixed configuration (tests: a reload
 * re-applies it). Parts built here once read the configuration the gateway started with; what a reload may change
 * is rebuilt by the holder's onChange listeners.
 */
export const startGateway = async (source: GatewayConfig | ConfigHolder, overrides: GatewayOverrides = {}): Promise<RunningGateway> => {
  const clock = overrides.clock ?? systemClock;
  const configHolder = source instanceof ConfigHolder ? source : new ConfigHolder({ loaded: { config: source, generatedJwtSecret: false, fileSettings: {} }, clock });
  const config = configHolder.current().config;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const needsSimulator = config.drs.endpoint === undefined || config.iam.endpoint === undefined;
  const simulator = needsSimulator ? await startSimulator({ clock }) : undefined;
  const drsEndpoint = config.drs.endpoint ?? (simulator as Simulator).url;
  const iamEndpoint = config.iam.endpoint ?? (simulator as Simulator).url;

  let phase: Phase = 'starting';
  let iamState: DependencyState = 'unknown';

  const drsHttp = createHttpClient({ baseURL: drsEndpoint, timeoutMs: config.drs.timeoutMs, maxResponseBytes: config.drs.maxResponseBytes, userAgent: USER_AGENT });
  const iamHttp = createHttpClient({ baseURL: iamEndpoint, timeoutMs: config.iam.timeoutMs, maxResponseBytes: 256 * 1024, userAgent: USER_AGENT });
  const redis = connectRedis(config, logger);
  const breaker = new CircuitBreaker({
    clock,
    failureThreshold: 5,
    openMs: 10_000,
    onStateChange: (state) => logger.warn({ circuit: state }, 'DRS circuit state changed'),
  });
  const prom = new PromMetrics({
    sources: {
      circuitState: () => circuitStateValue(breaker.state),
      redisUp: redis ? () => (redis.status() === 'up' ? 1 : 0) : undefined,
    },
    clock,
  });
  const metrics = overrides.metrics ? fanOut(prom, overrides.metrics) : prom;
  prom.configRunning(configHolder.current().version.hash);
  // The seam for reloads: each listener swaps what it owns; what a check refuses never reaches them.
  const configSubscriptions = [
    configHolder.addCheck(simulatorCheck(simulator)),
    configHolder.onReload((result) => prom.configReload(result.ok ? 'success' : 'failure')),
    configHolder.onChange(({ version }) => prom.configRunning(version.hash)),
  ];
  const iamClient = observeIam(
    createIamClient({ http: iamHttp, domainName: config.iam.domainName, userName: config.iam.userName, password: config.iam.password, clock, logger }),
    metrics,
    (state) => (iamState = state),
  );
  const stores = createStores({ redis: redis?.client, tokenCacheKey: config.redis.tokenCacheKey, onStoreError: config.rateLimit.onStoreError, clock, metrics, logger });
  const sharedTokens = stores.tokens(config.iam);
  let shared: SharedTokenFetcher | undefined;
  if (sharedTokens) {
    shared = createSharedTokenFetcher({
      store: sharedTokens,
      iam: iamClient,
      clock,
      refreshMarginMs: config.iam.refreshMarginMs,
      lockTtlMs: config.iam.timeoutMs + 1_000,
      metrics,
      logger,
    });
  }
  const tokenCache = new IamTokenCache({ fetcher: shared ?? iamClient, shared, clock, refreshMarginMs: config.iam.refreshMarginMs, logger, metrics });
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
  const limiters = createRateLimiters(config.rateLimit, { metrics, clock, stores: { ip: stores.rateLimit('ip'), caller: stores.rateLimit('caller') } });

  const forwarder = createPrecheckForwarder({ http: drsHttp, tokens: tokenCache, breaker, clock });
  // Aborted when the listener closes: long-lived responses (progress streams) end then rather than hold the drain.
  const listenerClosing = new AbortController();
  const app = createApp({
    logger,
    verifier,
    forwarder,
    progress: {
      hub: new ProgressHub({
        forwarder,
        share: stores.progress,
        intervalMs: config.progress.pollIntervalMs,
        logger,
      }),
      slots: createStreamSlots({
        perCaller: config.progress.streamsPerCaller,
        perIp: config.progress.streamsPerIp,
        // Renewed every heartbeat: a lease outlives its stream only when the instance died, and then by at most this.
        leaseMs: 2 * config.progress.heartbeatMs + 5_000,
        ...stores.streamSlots,
        clock,
        metrics,
        logger,
      }),
      clock,
      heartbeatMs: config.progress.heartbeatMs,
      shutdown: listenerClosing.signal,
      maxStreamMs: config.progress.maxStreamMs,
    },
    readiness: {
      phase: () => phase,
      dependencies: () => ({ redis: redis?.status() ?? 'disabled', iam: iamState, upstream: breaker.state === 'closed' ? 'up' : `circuit-${breaker.state}` }),
    },
    metrics: prom,
    tokens: tokenCache,
    effectiveConfig: () => {
      const running = configHolder.current();
      return { version: running.version, ...redactConfig(running.config) };
    },
    config: configHolder,
    limiters,
    idempotency: createIdempotency({ stores: stores.idempotency, inFlightTtlMs: longestRequestMs(config) }),
    budget:
      config.rateLimit.projectJobBudget === undefined
        ? undefined
        : createJobBudget({
            budget: config.rateLimit.projectJobBudget,
            windowMs: config.rateLimit.projectJobBudgetWindowMs,
            stores: stores.jobBudget,
            metrics,
          }),
    trustProxy: config.server.trustProxy,
    bodyLimitBytes: config.server.bodyLimitBytes,
    corsOrigins: config.cors.origins,
    errorTypeBase: config.errorTypeBase,
    publicMetrics: config.metrics.port === undefined,
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
  phase = 'ready';
  logger.info({ port, sandbox: needsSimulator }, 'gateway listening');
  const metricsUrl = metricsServer ? urlOf(config.metrics.host, (metricsServer.address() as AddressInfo).port) : undefined;
  if (metricsUrl) logger.info({ metricsUrl }, 'metrics listening');

  const graceMs = shutdownGraceMs(config);
  const closeStep = async (name: string, close: () => Promise<void>): Promise<void> => {
    await withDeadline(close, CLOSE_STEP_MS).catch((error: unknown) => logger.warn({ step: name, reason: (error as Error).message }, 'shutdown step cut short'));
  };
  let stopping: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    phase = 'draining';
    for (const unsubscribe of configSubscriptions) unsubscribe();
    connections.begin();
    logger.info({ delayMs: config.server.shutdownDelayMs, graceMs }, 'draining: readiness 503, listener closes after the delay');
    if (config.server.shutdownDelayMs > 0) await sleep(config.server.shutdownDelayMs);
    const closed = connections.close(graceMs);
    listenerClosing.abort();
    await closed;
    drsHttp.close();
    iamHttp.close();
    // Scrapes stay possible while callers drain; a scrape is short, so the close step's bound is plenty for the last.
    const closeMetrics = async (): Promise<void> => {
      if (!metricsServer) return;
      const closed = new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeIdleConnections();
      await closed;
    };
    await Promise.all([
      closeStep('redis', async () => redis?.close()),
      closeStep('simulator', async () => simulator?.stop()),
      closeStep('metrics', closeMetrics).finally(() => metricsServer?.closeAllConnections()),
    ]);
    logger.info({}, 'gateway stopped');
  };

  return {
    url: urlOf(config.server.host, port),
    port,
    metricsUrl,
    simulator,
    tokenCache,
    config: configHolder,
    redis,
    stop() {
      stopping ??= drain();
      return stopping;
    },
  };
};
