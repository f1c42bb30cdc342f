// The one typed configuration schema; env variables and the config file both land here.
import { z } from 'zod';
import { PROJECT_ID_PATTERN } from '../validation/schemas';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const hostPort = z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** True when the text is not a URL at all (the URL check reports that) or when `ok` holds for it. */
const urlWhere = (ok: (url: URL) => boolean) => (value: string): boolean => !URL.canParse(value) || ok(new URL(value));
/** A URL /admin/config shows and logs may name: credentials in it would leak, so they are refused (without echoing them). */
const withoutUserInfo = (url: z.ZodType<string>) =>
  url.refine(urlWhere((u) => u.username === '' && u.password === ''), 'must not carry user info (user:password@); the value is not shown');
/** DRS and IAM: the gateway appends API paths to the origin, so a query string could only carry secrets it must not show. */
const endpointUrl = withoutUserInfo(httpUrl).refine(
  urlWhere((u) => u.search === '' && u.hash === ''),
  'must not carry a query string or fragment (the gateway uses scheme, host, port and path only); the value is not shown',
);

/** Names of regions, credentials and tiers: they appear in logs, metrics labels and Redis keys. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const name = z.string().regex(NAME_PATTERN, 'must be 1 to 63 letters, digits, dots, dashes or underscores');

/** The region and credential the flat DRS_/IAM_ settings describe (contract §9). */
export const DEFAULT_NAME = 'default';

/** OTLP over HTTP only: the gateway ships no gRPC stack (OTEL_EXPORTER_OTLP_PROTOCOL). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
/** OTEL_TRACES_SAMPLER values of the OpenTelemetry specification (jaeger_remote and xray need SDK extensions: refused). */
export const TRACE_SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const STORE_ERROR_POLICIES = ['local', 'open', 'closed'] as const;
const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;

const otlpProtocol = z.enum(OTLP_PROTOCOLS, {
  error: (issue) =>
    issue.input === 'grpc'
      ? 'grpc is not supported: the gateway exports OTLP over HTTP; use http/protobuf (the default) or http/json'
      : `must be one of ${OTLP_PROTOCOLS.join(', ')}`,
});
const otlpCompression = z.enum(['gzip', 'none'], { error: 'must be gzip or none' });
/** Decodes a percent-encoded key or value, or says it cannot be. */
const decodes = (text: string): boolean => {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};
/**
 * The OpenTelemetry specification's `key=value,key=value` (W3C baggage style, percent-encoded): every item needs a key
 * and a value, or the SDK's parser would drop it without a word.
 */
const keyValueList = (what: string) =>
  z.string().refine(
    (text) =>
      text
        .split(',')
        .filter((item) => item.trim() !== '')
        .every((item) => {
          const at = item.indexOf('=');
          const [key, value] = [item.slice(0, at).trim(), item.slice(at + 1).trim()];
          return at > 0 && key !== '' && value !== '' && decodes(key) && decodes(value);
        }),
    `must be a comma list of key=value ${what}, percent-encoded (values are not shown)`,
  );

export const configSchema = z.strictObject({
  nodeEnv: z.enum(['development', 'production', 'test']),
  server: z
    .strictObject({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    trustProxy: nonNegativeInt,
    bodyLimitBytes: positiveInt,
    shutdownGraceMs: positiveInt,
    /** Time between SIGTERM (readiness 503) and closing the listener, for load balancers to stop sending. */
    shutdownDelayMs: nonNegativeInt,
    headersTimeoutMs: positiveInt,
    requestTimeoutMs: positiveInt,
    keepAliveTimeoutMs: positiveInt,
  })
    .refine((s) => s.headersTimeoutMs <= s.requestTimeoutMs, { message: 'must not exceed SERVER_REQUEST_TIMEOUT_MS', path: ['headersTimeoutMs'] }),
  drs: z.strictObject({
    /** Unset: the embedded simulator serves DRS. */
    endpoint: endpointUrl.optional(),
    timeoutMs: positiveInt,
    maxResponseBytes: positiveInt,
  }),
  iam: z.strictObject({
    /** Unset: the embedded simulator serves IAM. */
    endpoint: endpointUrl.optional(),
    domainName: z.string().min(1),
    userName: z.string().min(1),
    password: z.string().min(1),
    timeoutMs: positiveInt,
    refreshMarginMs: nonNegativeInt,
  }),
  redis: z
    .strictObject({
    url: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    sentinel: z
      .strictObject({
        sentinels: z.array(hostPort).min(1),
        name: z.string().min(1),
        password: z.string().min(1).optional(),
        sentinelPassword: z.string().min(1).optional(),
        tls: z.boolean().optional(),
      })
      .optional(),
    cluster: z.strictObject({ nodes: z.array(hostPort).min(1), password: z.string().min(1).optional(), tls: z.boolean().optional() }).optional(),
    commandTimeoutMs: positiveInt,
    connectTimeoutMs: positiveInt,
    /**
     * Replicas that must hold an idempotency claim or record (WAIT) before the gateway goes on; unset: 1 with Sentinel,
     * else 0. Only in the configuration file, as Sentinel is.
     */
    waitReplicas: nonNegativeInt.optional(),
    /** The longest WAIT; below commandTimeoutMs, which would cut it first. */
    waitTimeoutMs: positiveInt,
    tokenCacheKey: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
      .optional(),
  })
    .refine((r) => [r.url, r.sentinel, r.cluster].filter((v) => v !== undefined).length <= 1, 'set only one of url, sentinel and cluster')
    // ioredis sends a keyless WAIT to any node of a cluster, not to the one holding the key.
    .refine((r) => r.cluster === undefined || (r.waitReplicas ?? 0) === 0, { message: 'is not supported with redis.cluster', path: ['waitReplicas'] })
    .refine((r) => r.waitTimeoutMs < r.commandTimeoutMs, { message: 'must be below redis.commandTimeoutMs', path: ['waitTimeoutMs'] }),
  jwt: z.strictObject({
    secret: z.string().min(32, 'must be at least 32 characters').optional(),
    publicKey: z.string().includes('-----BEGIN', { message: 'must be a PEM public key' }).optional(),
    /** A query string is allowed (some identity providers name a policy there) and redacted in /admin/config. */
    jwksUri: withoutUserInfo(httpUrl).optional(),
    algorithms: z.array(z.enum(ALGORITHMS, { error: `must be one of ${ALGORITHMS.join(', ')} (never none)` })).min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    clockToleranceMs: nonNegativeInt,
  }),
  rateLimit: z.strictObject({
    max: positiveInt,
    windowMs: positiveInt,
    ipMax: positiveInt,
    ipWindowMs: positiveInt,
    onStoreError: z.enum(STORE_ERROR_POLICIES),
    /** Jobs per project per window on batch-precheck; unset: no budget. */
    projectJobBudget: positiveInt.optional(),
    projectJobBudgetWindowMs: positiveInt,
    /** First match by scope gives a caller class its own per-caller limit; RateLimit-Policy names the tier. */
    tiers: z.array(z.strictObject({ name: name.refine((n) => n !== 'ip' && n !== 'caller', 'ip and caller name the built-in limiters (and their Redis keys)'), scope: z.string().min(1), max: positiveInt, windowMs: positiveInt.optional() })),
  }),
  /** §9: DRS and IAM endpoints per region; `default` comes from DRS_ENDPOINT/IAM_ENDPOINT. Unset endpoint: the embedded simulator. */
  regions: z.record(name, z.strictObject({ drsEndpoint: endpointUrl.optional(), iamEndpoint: endpointUrl.optional() })),
  /**
   * §9: the IAM users the gateway signs in as, secrets already resolved; `default` comes from IAM_DOMAIN_NAME/IAM_USER_NAME/IAM_PASSWORD.
   * The file names each password by reference (passwordFile or passwordEnv, kept here for /admin/config); loadConfig reads it into `password`.
   */
  credentials: z.record(
    name,
    z.strictObject({
      domainName: z.string().min(1),
      userName: z.string().min(1),
      password: z.string().min(1),
      passwordFile: z.string().min(1).optional(),
      passwordEnv: z.string().min(1).optional(),
    }),
  ),
  /** §9: when present, only these projects are served; region and credential already filled in. */
  projects: z
    .record(z.string().regex(PROJECT_ID_PATTERN, 'must be 32 to 64 letters and digits'), z.strictObject({ region: name, credential: name, jobBudget: positiveInt.optional() }))
    .optional(),
  /** §9: projects granted to identity-provider groups, in addition to a `projects` claim. */
  access: z.strictObject({ groupsClaim: z.string().min(1).optional(), groups: z.record(z.string().min(1), z.array(z.string().min(1))) }),
  progress: z.strictObject({
    /** DRS is polled for a job at most once per interval, however many streams watch it. */
    pollIntervalMs: positiveInt,
    /** A comment line keeps idle streams open through proxies. */
    heartbeatMs: positiveInt,
    /** A stream older than this ends with `event: end`, so no watch outlives a pre-check's longest wait. */
    maxStreamMs: positiveInt,
    /** Open streams per caller (`sub`) and per client IP; across instances when Redis is configured. */
    streamsPerCaller: positiveInt,
    streamsPerIp: positiveInt,
  }),
  /** Overload protection: /v3 requests get 503 GW.5031 while a reading is over its threshold (0 turns that one off). */
  overload: z.strictObject({
    /** Mean event-loop delay over one sample, in ms. */
    maxEventLoopDelayMs: nonNegativeInt,
    /** V8 heap in use, in MiB. */
    maxHeapUsedMb: nonNegativeInt,
  }),
  metrics: z.strictObject({
    /** Set: /metrics has its own listener and the public port answers 404 for it. Unset: /metrics on the public port. */
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().min(1),
  }),
  cors: z.strictObject({ origins: z.array(z.url({ error: 'must be an origin such as https://app.example.com' })) }),
  /**
   * OpenTelemetry traces, from the standard OTEL_* variables. Off unless an exporter is configured: OTEL_TRACES_EXPORTER
   * or an OTLP endpoint (src/telemetry/traceExport.ts decides, the SDK never reads these variables itself).
   */
  tracing: z
    .strictObject({
      /** OTEL_SDK_DISABLED: true turns tracing off whatever else is set. */
      sdkDisabled: z.boolean(),
      /** OTEL_TRACES_EXPORTER: `otlp` turns tracing on (endpoint default http://localhost:4318), `none` off. */
      exporter: z.enum(['otlp', 'none'], { error: 'must be otlp or none (the gateway exports traces over OTLP only)' }).optional(),
      /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; traces go to its /v1/traces. */
      endpoint: withoutUserInfo(httpUrl).optional(),
      /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full URL traces are posted to; wins over `endpoint`. */
      tracesEndpoint: withoutUserInfo(httpUrl).optional(),
      protocol: otlpProtocol.optional(),
      tracesProtocol: otlpProtocol.optional(),
      /** Headers sent with every export (a collector's API key, say): secrets. */
      headers: keyValueList('headers').optional(),
      tracesHeaders: keyValueList('headers').optional(),
      timeoutMs: positiveInt.optional(),
      tracesTimeoutMs: positiveInt.optional(),
      compression: otlpCompression.optional(),
      tracesCompression: otlpCompression.optional(),
      sampler: z.enum(TRACE_SAMPLERS, { error: `must be one of ${TRACE_SAMPLERS.join(', ')}` }),
      /** The ratio of the traceidratio samplers; unset: 1. */
      samplerArg: z.number().min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1').optional(),
      serviceName: z.string().min(1),
      /** OTEL_RESOURCE_ATTRIBUTES: extra resource attributes (service.name and service.version stay the gateway's). */
      resourceAttributes: keyValueList('attributes').optional(),
      /** The batch span processor (OTEL_BSP_*): spans wait in a bounded queue and leave in batches. */
      batch: z
        .strictObject({
          scheduleDelayMs: positiveInt,
          exportTimeoutMs: positiveInt,
          maxQueueSize: positiveInt,
          maxExportBatchSize: positiveInt,
        })
        .refine((b) => b.maxExportBatchSize <= b.maxQueueSize, { message: 'must not exceed OTEL_BSP_MAX_QUEUE_SIZE', path: ['maxExportBatchSize'] }),
    }),
  logLevel: z.enum(LOG_LEVELS),
  /** A file that receives a copy of every audit line (appended; the process log has them too). */
  auditLog: z.string().min(1).optional(),
  /** Prefix of the problem `type` URI; the gateway serves the catalogue at /errors. */
  errorTypeBase: z.string().min(1),
})
  // Port 0 asks the system for a free port, so two zeros never collide.
  .refine((c) => c.metrics.port === undefined || c.metrics.port === 0 || c.metrics.port !== c.server.port, {
    path: ['metrics', 'port'],
    message: 'must differ from PORT (the metrics listener is a second listener)',
  });

export type GatewayConfig = z.infer<typeof configSchema>;
