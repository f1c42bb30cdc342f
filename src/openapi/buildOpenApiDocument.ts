// The OpenAPI 3.1 document of every route, built from the same zod schemas that validate requests.
import { z } from 'zod';
import { ERROR_CATALOGUE } from '../errors/catalogue';
import { DRS_ROUTES } from '../precheck/drsRoutes';
import { adminUsagePaths } from './adminUsagePaths';
import {
  invalidateTokensBodySchema,
  LANGUAGES,
  PROJECT_ID_PATTERN,
  SAFE_TOKEN_PATTERN,
} from '../validation/schemas';
import { MAX_LISTED_PROBLEMS, MAX_MESSAGE_CHARS, MAX_POINTER_TOKEN_CHARS } from '../validation/validate';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType): Json => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema) as Json;
  return rest;
};

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (codes: string[]): Json => ({
  description: codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].detail['en-us']}`).join(' '),
  content: { 'application/problem+json': { schema: problem } },
});

const errorResponses = (codes: string[]): Json => {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const status = ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [String(status), problemResponse(list)]));
};

const AUTH_ERRORS = ['GW.1001', 'GW.1002', 'GW.1003', 'GW.1004'];
const PRECHECK_ERRORS = [
  'GW.0400', 'GW.0401', 'GW.0405', 'GW.0413', 'GW.0415', ...AUTH_ERRORS, 'GW.1005', 'GW.2001',
  'GW.3001', 'GW.3002', 'GW.3003', 'GW.3004', 'GW.3005', 'GW.3006', 'GW.3007', 'GW.3008', 'GW.5000', 'GW.5030',
];

const headerParameters: Json[] = [
  { name: 'X-Language', in: 'header', required: false, schema: { type: 'string', enum: [...LANGUAGES], default: 'en-us' }, description: 'Language of error titles and details; passed to DRS.' },
  { name: 'X-Request-Id', in: 'header', required: false, schema: { type: 'string', pattern: SAFE_TOKEN_PATTERN.source }, description: 'Echoed back and sent to DRS; generated when absent or unsafe.' },
  { name: 'traceparent', in: 'header', required: false, schema: { type: 'string' }, description: 'W3C trace context; DRS receives the same trace id with a new parent id.' },
];

const rateLimitHeaders: Json = {
  'X-Request-Id': { schema: { type: 'string' } },
  RateLimit: { schema: { type: 'string' }, description: 'IETF draft-8, one entry per limiter: "ip", then the caller\'s tier ("caller" by default, or a configured tier such as "services").' },
  'RateLimit-Policy': { schema: { type: 'string' }, description: 'The same limiters with their quota and window; the second entry names the caller\'s tier.' },
  'X-Upstream-Request-Id': { schema: { type: 'string' }, description: "DRS's own request id, when DRS sent one." },
  'Idempotency-Replayed': { schema: { const: 'true' }, description: 'Present when the answer is the stored first response for this Idempotency-Key.' },
};

const idempotencyKeyParameter: Json = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', pattern: SAFE_TOKEN_PATTERN.source },
  description: 'The same caller repeating a key with the same body within 24 h gets the first 200 again (Idempotency-Replayed: true) without a second DRS call; another body: 422; while the first is in flight: 409. Failures are not replayed.',
};

const precheckOperation = (summary: string, bodySchema: z.ZodType, responseRef: string, description: string, extra: { errors?: string[]; parameters?: Json[] } = {}): Json => ({
  summary,
  description,
  security: [{ bearerAuth: [] }],
  parameters: [{ name: 'project_id', in: 'path', required: true, schema: { type: 'string', pattern: PROJECT_ID_PATTERN.source } }, ...headerParameters, ...(extra.parameters ?? [])],
  requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(bodySchema) } } },
  responses: {
    '200': { description: "DRS's answer; failed items keep error_code and error_msg.", headers: rateLimitHeaders, content: { 'application/json': { schema: { $ref: responseRef } } } },
    ...errorResponses([...PRECHECK_ERRORS, ...(extra.errors ?? [])]),
    '4XX': { description: "A DRS rejection that is the caller's doing keeps DRS's status, with DRS's code (DRS.M…) in error_code and `upstream` filled.", content: { 'application/problem+json': { schema: problem } } },
  },
});

const stringProps = (...names: string[]): Json => Object.fromEntries(names.map((n) => [n, { type: 'string' }]));

export const buildOpenApiDocument = (version: string): Json => ({
  openapi: '3.1.0',
  info: {
    title: 'DRS Pre-check Gateway',
    version,
    description: 'Runs Huawei Cloud DRS batch pre-checks for internal callers. Every error is application/problem+json (RFC 9457); the catalogue is at /errors.',
  },
  paths: {
    ...Object.fromEntries(
      DRS_ROUTES.map((route) => [
        `/v3/{project_id}/jobs/${route.name}`,
        {
          post: precheckOperation(
            route.summary,
            route.schema,
            `#/components/schemas/${route.responseSchema}`,
            route.description,
            route.spendsBudget ? { errors: ['GW.0409', 'GW.0422', 'GW.2002'], parameters: [idempotencyKeyParameter] } : {},
          ),
        },
      ]),
    ),
    '/v3/{project_id}/jobs/precheck-progress': {
      get: {
        summary: 'Live pre-check progress (server-sent events)',
        description:
          'Scope drs:precheck; opening a stream counts once against the rate limit, and a caller (PRECHECK_STREAMS_PER_CALLER) and a client IP (PRECHECK_STREAMS_PER_IP) may hold only so many open streams (429 GW.2003 with Retry-After). Events (data is JSON): ' +
          '`progress` (PrecheckProgressItem: the DRS result item plus job_id, whenever process, total_passed_rate, result or error_code changes); ' +
          '`done` (PrecheckProgressDone) once per job: DRS said "100%", or answered for the job with an error code, or gave nothing readable for it on 3 polls in a row (then error_code "GW.3004" and the catalogue error_msg); ' +
          '`error` (a Problem) then the stream closes: DRS or IAM failed in a way that will not pass (a 4xx at once, a 5xx, timeout or throttle after 3 retries), or the bearer token expired (GW.1003, with the verifier clock tolerance); ' +
          '`end` ({"reason":"max-lifetime"} after PRECHECK_STREAM_MAX_MS, {"reason":"shutdown"} when the instance drains) then the stream closes: reconnect to keep watching. ' +
          'A comment line every 15 s; the stream closes when every job is done. DRS is polled for a job at most once per PRECHECK_POLL_INTERVAL_MS across all streams and instances.',
        security: [{ bearerAuth: [] }],
        parameters: [
          { name: 'project_id', in: 'path', required: true, schema: { type: 'string', pattern: PROJECT_ID_PATTERN.source } },
          { name: 'jobs', in: 'query', required: true, schema: { type: 'string' }, description: '1 to 10 distinct job IDs, comma-separated.' },
          ...headerParameters,
        ],
        responses: {
          '200': { description: 'An event stream: progress, done, error and end events (see the description).', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          ...errorResponses(['GW.0400', 'GW.0405', ...AUTH_ERRORS, 'GW.1005', 'GW.2001', 'GW.2003', 'GW.5030']),
        },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'The process serves.', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } } } } } },
    '/readyz': {
      get: {
        summary: 'Readiness',
        responses: Object.fromEntries(
          ['200', '503'].map((status) => [
            status,
            {
              description: status === '200' ? 'Ready.' : 'Starting or draining.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
            },
          ]),
        ),
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (prefix gateway_)',
        description: 'Served here unless METRICS_PORT gives it its own listener (then 404 here). The text may be up to 1 s old.',
        responses: { '200': { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errorResponses(['GW.0404', 'GW.0405']) },
      },
    },
    '/errors': { get: { summary: 'The error catalogue', responses: { '200': { description: 'HTML page with an anchor per code.', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    '/docs': { get: { summary: 'This document as a page', responses: { '200': { description: 'HTML.', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    '/admin/config': {
      get: {
        summary: 'Effective configuration, secrets redacted',
        description: 'Scope gateway:admin. Every credential and region; passwords are "[redacted]" (passwordFile paths and passwordEnv names are shown).',
        security: [{ bearerAuth: [] }],
        responses: {
          '200': {
            description: 'The configuration tree and the running version.',
            content: { 'application/json': { schema: { type: 'object', required: ['version'], properties: { version: { $ref: '#/components/schemas/ConfigVersion' } } } } },
          },
          ...errorResponses([...AUTH_ERRORS, 'GW.0405']),
        },
      },
    },
    '/admin/config/reload': {
      post: {
        summary: 'Reload the configuration',
        description:
          'Scope gateway:admin. Re-reads GATEWAY_CONFIG, the *_FILE secrets and every passwordFile, as SIGHUP does. All or nothing: any problem (an invalid setting, a restart-only setting changed) refuses the whole reload and the running configuration stays. No body.',
        security: [{ bearerAuth: [] }],
        responses: {
          '200': {
            description: 'The new configuration runs for requests that start from now on.',
            content: { 'application/json': { schema: { type: 'object', required: ['version'], properties: { version: { $ref: '#/components/schemas/ConfigVersion' } } } } },
          },
          ...errorResponses([...AUTH_ERRORS, 'GW.0405', 'GW.4001']),
        },
      },
    },
    '/admin/iam-tokens/invalidate': {
      post: {
        summary: 'Drop cached IAM tokens',
        description: 'Scope gateway:admin. No body: every project; {"project_id"}: one.',
        security: [{ bearerAuth: [] }],
        requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(invalidateTokensBodySchema) } } },
        responses: {
          '200': { description: 'What was dropped.', content: { 'application/json': { schema: { type: 'object' } } } },
          ...errorResponses(['GW.0400', 'GW.0401', 'GW.0405', 'GW.0413', 'GW.0415', ...AUTH_ERRORS]),
        },
      },
    },
    ...adminUsagePaths({ errorResponses, authErrors: AUTH_ERRORS }),
  },
  components: {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      PrecheckProgressItem: {
        type: 'object',
        description: 'Data of a `progress` event: the DRS result item for the job, plus job_id.',
        required: ['job_id'],
        properties: { job_id: { type: 'string' }, precheck_id: { type: 'string' }, process: { type: 'string' }, total_passed_rate: { type: 'string' }, result: { type: 'boolean' }, error_code: { type: 'string' }, error_msg: { type: 'string' } },
        additionalProperties: true,
      },
      PrecheckProgressDone: {
        type: 'object',
        description: 'Data of a `done` event, once per job. error_code GW.3004: DRS gave nothing readable for the job on 3 polls in a row.',
        required: ['job_id'],
        properties: { job_id: { type: 'string' }, result: { type: 'boolean' }, total_passed_rate: { type: 'string' }, error_code: { type: 'string' }, error_msg: { type: 'string' } },
      },
      PrecheckProgressEnd: {
        type: 'object',
        description: 'Data of an `end` event: the stream reached PRECHECK_STREAM_MAX_MS, or the instance is draining (shutdown); reconnect to keep watching.',
        required: ['reason'],
        properties: { reason: { enum: ['max-lifetime', 'shutdown'] } },
      },
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail', 'instance', 'error_code', 'error_msg', 'request_id'],
        properties: {
          ...stringProps('type', 'title', 'detail', 'instance', 'error_code', 'error_msg', 'request_id'),
          status: { type: 'integer' },
          errors: {
            type: 'array',
            description: `Each validation problem, at most ${MAX_LISTED_PROBLEMS}; a property name longer than ${MAX_POINTER_TOKEN_CHARS} characters is cut with "…" in its pointer, and a message at ${MAX_MESSAGE_CHARS}. A refused configuration reload (GW.4001) lists every problem, each naming its setting.`,
            items: { type: 'object', required: ['message'], properties: stringProps('pointer', 'parameter', 'header', 'setting', 'message') },
          },
          errors_omitted: { type: 'integer', minimum: 1, description: 'Problems found beyond those listed in errors; absent when every problem is listed.' },
          upstream: { type: 'object', required: ['status'], properties: { status: { type: 'integer' }, ...stringProps('error_code', 'error_msg') } },
        },
      },
      BatchPrecheckResponse: {
        type: 'object',
        properties: {
          results: { type: 'array', items: { type: 'object', properties: { ...stringProps('id', 'precheck_id', 'error_code', 'error_msg'), status: { enum: ['success', 'failed'] } } } },
          count: { type: 'integer' },
        },
      },
      BatchPrecheckResultResponse: {
        type: 'object',
        properties: {
          results: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                ...stringProps('precheck_id', 'process', 'total_passed_rate', 'rds_instance_id', 'error_code', 'error_msg'),
                result: { type: 'boolean' },
                job_direction: { enum: ['up', 'down', 'non-dbs'] },
                precheck_result: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      ...stringProps('item', 'failed_reason', 'data', 'raw_error_msg', 'group'),
                      result: { enum: ['PASSED', 'ALARM', 'FAILED'] },
                      failed_sub_jobs: { type: 'array', items: { type: 'object', properties: stringProps('id', 'name', 'check_result') } },
                    },
                  },
                },
              },
            },
          },
          count: { type: 'integer' },
        },
      },
      ConfigVersion: {
        type: 'object',
        required: ['hash', 'loadedAt'],
        properties: {
          hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'sha256 of the non-secret settings (what /admin/config shows): a rotated secret keeps it.' },
          loadedAt: { type: 'string', format: 'date-time', description: 'When this configuration was loaded; new on every successful reload.' },
        },
      },
      Readiness: {
        type: 'object',
        properties: {
          status: { enum: ['starting', 'ready', 'draining'] },
          dependencies: {
            type: 'object',
            properties: {
              ...stringProps('redis', 'iam', 'upstream'),
              regions: {
                type: 'object',
                description: 'Each region in use; one region in trouble does not make the instance unready.',
                additionalProperties: {
                  type: 'object',
                  properties: {
                    drs: { enum: ['up', 'circuit-open', 'circuit-half-open'] },
                    circuit: { enum: ['closed', 'open', 'half-open'] },
                    iam: { enum: ['up', 'down', 'unknown'] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});
