// The one typed configuration schema; env variables and the config file both land here.
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const hostPort = z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535) });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const STORE_ERROR_POLICIES = ['local', 'open', 'closed'] as const;
const ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;

export const configSchema = z.strictObject({
  nodeEnv: z.enum(['development', 'production', 'test']),
  server: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    trustProxy: nonNegativeInt,
    bodyLimitBytes: positiveInt,
    shutdownGraceMs: positiveInt,
  }),
  drs: z.strictObject({
    /** Unset: the embedded simulator serves DRS. */
    endpoint: httpUrl.optional(),
    timeoutMs: positiveInt,
    maxResponseBytes: positiveInt,
  }),
  iam: z.strictObject({
    /** Unset: the embedded simulator serves IAM. */
    endpoint: httpUrl.optional(),
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
    tokenCacheKey: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
      .optional(),
  })
    .refine((r) => [r.url, r.sentinel, r.cluster].filter((v) => v !== undefined).length <= 1, 'set only one of url, sentinel and cluster'),
  jwt: z.strictObject({
    secret: z.string().min(32, 'must be at least 32 characters').optional(),
    publicKey: z.string().includes('-----BEGIN', { message: 'must be a PEM public key' }).optional(),
    jwksUri: httpUrl.optional(),
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
  }),
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
  cors: z.strictObject({ origins: z.array(z.url({ error: 'must be an origin such as https://app.example.com' })) }),
  logLevel: z.enum(LOG_LEVELS),
  /** Prefix of the problem `type` URI; the gateway serves the catalogue at /errors. */
  errorTypeBase: z.string().min(1),
});

export type GatewayConfig = z.infer<typeof configSchema>;
