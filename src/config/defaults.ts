// Built-in defaults: the sandbox values that let `npm start` run with no configuration at all.
import { SANDBOX_IAM_USER } from './sandboxIamUser';

export const DEFAULTS = {
  nodeEnv: 'development',
  server: {
    host: '127.0.0.1',
    port: 8080,
    trustProxy: 0,
    bodyLimitBytes: 16 * 1024,
    shutdownGraceMs: 30_000,
    headersTimeoutMs: 15_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
  },
  drs: { timeoutMs: 10_000, maxResponseBytes: 1024 * 1024 },
  iam: {
    domainName: SANDBOX_IAM_USER.domain,
    userName: SANDBOX_IAM_USER.name,
    password: SANDBOX_IAM_USER.password,
    timeoutMs: 5_000,
    refreshMarginMs: 900_000,
  },
  redis: { commandTimeoutMs: 250, connectTimeoutMs: 2_000, waitTimeoutMs: 100 },
  jwt: { clockToleranceMs: 30_000 },
  rateLimit: { max: 60, windowMs: 60_000, ipMax: 1200, ipWindowMs: 60_000, onStoreError: 'local', projectJobBudgetWindowMs: 60_000, tiers: [] },
  progress: { pollIntervalMs: 3_000, heartbeatMs: 15_000, maxStreamMs: 3_600_000, streamsPerCaller: 20, streamsPerIp: 100 },
  overload: { maxEventLoopDelayMs: 150, maxHeapUsedMb: 160 },
  metrics: { host: '127.0.0.1' },
  access: { groups: {} },
  cors: { origins: [] },
  tracing: {
    sdkDisabled: false,
    sampler: 'parentbased_always_on',
    serviceName: 'drs-precheck-gateway',
    // The OpenTelemetry specification's defaults for OTEL_BSP_*.
    batch: { scheduleDelayMs: 5_000, exportTimeoutMs: 30_000, maxQueueSize: 2_048, maxExportBatchSize: 512 },
  },
  logLevel: 'info',
  errorTypeBase: '/errors',
} as const;

/**
 * SHUTDOWN_DELAY_MS when unset: only a load balancer polling /readyz needs the pause, and one stands in front of
 * production; the sandbox and the tests have none, so Ctrl-C and stop() there begin draining at once.
 */
export const DEFAULT_SHUTDOWN_DELAY_MS = { production: 5_000, other: 0 } as const;
