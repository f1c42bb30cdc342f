// The table from environment variables to configuration paths; docs/configuration.md and .env.example follow it.
export type EnvKind = 'string' | 'int' | 'number' | 'boolean' | 'list';

export interface EnvVariable {
  name: string;
  path: readonly string[];
  kind: EnvKind;
  /** Secrets also accept NAME_FILE and are redacted wherever configuration is shown. */
  secret?: boolean;
}

export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'NODE_ENV', path: ['nodeEnv'], kind: 'string' },
  { name: 'HOST', path: ['server', 'host'], kind: 'string' },
  { name: 'PORT', path: ['server', 'port'], kind: 'int' },
  { name: 'TRUST_PROXY', path: ['server', 'trustProxy'], kind: 'int' },
  { name: 'SHUTDOWN_GRACE_MS', path: ['server', 'shutdownGraceMs'], kind: 'int' },
  { name: 'SHUTDOWN_DELAY_MS', path: ['server', 'shutdownDelayMs'], kind: 'int' },
  { name: 'SERVER_HEADERS_TIMEOUT_MS', path: ['server', 'headersTimeoutMs'], kind: 'int' },
  { name: 'SERVER_REQUEST_TIMEOUT_MS', path: ['server', 'requestTimeoutMs'], kind: 'int' },
  { name: 'SERVER_KEEPALIVE_TIMEOUT_MS', path: ['server', 'keepAliveTimeoutMs'], kind: 'int' },
  { name: 'DRS_ENDPOINT', path: ['drs', 'endpoint'], kind: 'string' },
  { name: 'UPSTREAM_TIMEOUT_MS', path: ['drs', 'timeoutMs'], kind: 'int' },
  { name: 'IAM_ENDPOINT', path: ['iam', 'endpoint'], kind: 'string' },
  { name: 'IAM_DOMAIN_NAME', path: ['iam', 'domainName'], kind: 'string' },
  { name: 'IAM_USER_NAME', path: ['iam', 'userName'], kind: 'string' },
  { name: 'IAM_PASSWORD', path: ['iam', 'password'], kind: 'string', secret: true },
  { name: 'IAM_TIMEOUT_MS', path: ['iam', 'timeoutMs'], kind: 'int' },
  { name: 'IAM_TOKEN_REFRESH_MARGIN_MS', path: ['iam', 'refreshMarginMs'], kind: 'int' },
  { name: 'REDIS_URL', path: ['redis', 'url'], kind: 'string', secret: true },
  { name: 'REDIS_COMMAND_TIMEOUT_MS', path: ['redis', 'commandTimeoutMs'], kind: 'int' },
  { name: 'TOKEN_CACHE_KEY', path: ['redis', 'tokenCacheKey'], kind: 'string', secret: true },
  { name: 'JWT_SECRET', path: ['jwt', 'secret'], kind: 'string', secret: true },
  { name: 'JWT_PUBLIC_KEY', path: ['jwt', 'publicKey'], kind: 'string', secret: true },
  { name: 'JWT_JWKS_URI', path: ['jwt', 'jwksUri'], kind: 'string' },
  { name: 'JWT_ALGORITHMS', path: ['jwt', 'algorithms'], kind: 'list' },
  { name: 'JWT_ISSUER', path: ['jwt', 'issuer'], kind: 'string' },
  { name: 'JWT_AUDIENCE', path: ['jwt', 'audience'], kind: 'string' },
  { name: 'JWT_CLOCK_TOLERANCE_MS', path: ['jwt', 'clockToleranceMs'], kind: 'int' },
  { name: 'RATE_LIMIT_MAX', path: ['rateLimit', 'max'], kind: 'int' },
  { name: 'RATE_LIMIT_WINDOW_MS', path: ['rateLimit', 'windowMs'], kind: 'int' },
  { name: 'IP_RATE_LIMIT_MAX', path: ['rateLimit', 'ipMax'], kind: 'int' },
  { name: 'IP_RATE_LIMIT_WINDOW_MS', path: ['rateLimit', 'ipWindowMs'], kind: 'int' },
  { name: 'RATE_LIMIT_ON_STORE_ERROR', path: ['rateLimit', 'onStoreError'], kind: 'string' },
  { name: 'PROJECT_JOB_BUDGET', path: ['rateLimit', 'projectJobBudget'], kind: 'int' },
  { name: 'PROJECT_JOB_BUDGET_WINDOW_MS', path: ['rateLimit', 'projectJobBudgetWindowMs'], kind: 'int' },
  { name: 'PRECHECK_POLL_INTERVAL_MS', path: ['progress', 'pollIntervalMs'], kind: 'int' },
  { name: 'OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', path: ['overload', 'maxEventLoopDelayMs'], kind: 'int' },
  { name: 'OVERLOAD_MAX_HEAP_USED_MB', path: ['overload', 'maxHeapUsedMb'], kind: 'int' },
  { name: 'METRICS_PORT', path: ['metrics', 'port'], kind: 'int' },
  { name: 'METRICS_HOST', path: ['metrics', 'host'], kind: 'string' },
  { name: 'PRECHECK_STREAM_MAX_MS', path: ['progress', 'maxStreamMs'], kind: 'int' },
  { name: 'PRECHECK_STREAMS_PER_CALLER', path: ['progress', 'streamsPerCaller'], kind: 'int' },
  { name: 'PRECHECK_STREAMS_PER_IP', path: ['progress', 'streamsPerIp'], kind: 'int' },
  { name: 'CORS_ORIGINS', path: ['cors', 'origins'], kind: 'list' },
  { name: 'OTEL_SDK_DISABLED', path: ['tracing', 'sdkDisabled'], kind: 'boolean' },
  { name: 'OTEL_TRACES_EXPORTER', path: ['tracing', 'exporter'], kind: 'string' },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', path: ['tracing', 'endpoint'], kind: 'string' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', path: ['tracing', 'tracesEndpoint'], kind: 'string' },
  { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', path: ['tracing', 'protocol'], kind: 'string' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', path: ['tracing', 'tracesProtocol'], kind: 'string' },
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', path: ['tracing', 'headers'], kind: 'string', secret: true },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', path: ['tracing', 'tracesHeaders'], kind: 'string', secret: true },
  { name: 'OTEL_EXPORTER_OTLP_TIMEOUT', path: ['tracing', 'timeoutMs'], kind: 'int' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', path: ['tracing', 'tracesTimeoutMs'], kind: 'int' },
  { name: 'OTEL_EXPORTER_OTLP_COMPRESSION', path: ['tracing', 'compression'], kind: 'string' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', path: ['tracing', 'tracesCompression'], kind: 'string' },
  { name: 'OTEL_TRACES_SAMPLER', path: ['tracing', 'sampler'], kind: 'string' },
  { name: 'OTEL_TRACES_SAMPLER_ARG', path: ['tracing', 'samplerArg'], kind: 'number' },
  { name: 'OTEL_SERVICE_NAME', path: ['tracing', 'serviceName'], kind: 'string' },
  { name: 'OTEL_RESOURCE_ATTRIBUTES', path: ['tracing', 'resourceAttributes'], kind: 'string' },
  { name: 'OTEL_BSP_SCHEDULE_DELAY', path: ['tracing', 'batch', 'scheduleDelayMs'], kind: 'int' },
  { name: 'OTEL_BSP_EXPORT_TIMEOUT', path: ['tracing', 'batch', 'exportTimeoutMs'], kind: 'int' },
  { name: 'OTEL_BSP_MAX_QUEUE_SIZE', path: ['tracing', 'batch', 'maxQueueSize'], kind: 'int' },
  { name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', path: ['tracing', 'batch', 'maxExportBatchSize'], kind: 'int' },
  { name: 'LOG_LEVEL', path: ['logLevel'], kind: 'string' },
  { name: 'AUDIT_LOG', path: ['auditLog'], kind: 'string' },
  { name: 'ERROR_TYPE_BASE', path: ['errorTypeBase'], kind: 'string' },
];

/** A secret's value may come from the file this variable names instead (`IAM_PASSWORD_FILE`). */
export const fileVariableOf = (name: string): string => `${name}_FILE`;

/** The variable naming the configuration file (contract §9); loadConfig reads it, and it sets no setting itself. */
export const CONFIG_FILE_VARIABLE = 'GATEWAY_CONFIG';

/**
 * Every environment variable the loader reads by name: the table's, `NAME_FILE` for each secret, and the file's own.
 * A credential's `passwordEnv` names further variables in the file itself, so they are the file's to list.
 */
export const knownEnvironmentNames = (): string[] => [
  ...ENV_VARIABLES.flatMap((variable) => (variable.secret ? [variable.name, fileVariableOf(variable.name)] : [variable.name])),
  CONFIG_FILE_VARIABLE,
];
