// The OpenAPI 3.1 document of every route: the DRS routes from the route table (request and response schemas from its
// zod schemas, error responses from the catalogue), the others described here.
import { z } from 'zod';
import { drsRouteTemplate, type DrsRouteRow, type DrsRouteTable } from '../drs/drsRouteTable';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/catalogue';
import { OVERLOAD_REASONS } from '../overload/OverloadMonitor';
import {
  invalidateTokensBodySchema,
  LANGUAGES,
  PROJECT_ID_PATTERN,
  SAFE_TOKEN_PATTERN,
} from '../validation/schemas';
import { MAX_LISTED_PROBLEMS, MAX_MESSAGE_CHARS, MAX_POINTER_TOKEN_CHARS } from '../validation/validate';

type Json = Record<string, unknown>;

const TAGS = { prechecks: 'Pre-checks', operations: 'Operations', documentation: 'Documentation', administration: 'Administration' } as const;
const TAG_DESCRIPTIONS: Record<(typeof TAGS)[keyof typeof TAGS], string> = {
  'Pre-checks': 'DRS batch pre-checks, relayed to the region serving the project, and their live progress.',
  Operations: 'Probes and metrics for the platform running the gateway.',
  Documentation: 'This document, the error catalogue and a readable page of both.',
  Administration: 'Configuration and token cache of the running instance (scope gateway:admin).',
};

const BEARER = [{ bearerAuth: [] }];
/** Explicitly open: probes, metrics and documents need no token. */
const OPEN: Json[] = [];

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as Json;
  return rest;
};

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (codes: readonly ErrorCode[]): Json => ({
  description: codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code].detail['en-us']}`).join(' '),
  content: { 'application/problem+json': { schema: problem } },
});

/** DRS's own 4xx, passed through with its status: any 4xx, so one range entry rather than a status of its own. */
const PASSED_THROUGH: Json = {
  description: "A DRS rejection that is the caller's doing keeps DRS's status, with DRS's code (DRS.M…) in error_code and `upstream` filled.",
  content: { 'application/problem+json': { schema: problem } },
};

const errorResponses = (codes: readonly ErrorCode[]): Json => {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    if (code === 'DRS.PASSTHROUGH') continue;
    const { status } = ERROR_CATALOGUE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return {
    ...Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [String(status), problemResponse(list)])),
    ...(codes.includes('DRS.PASSTHROUGH') ? { '4XX': PASSED_THROUGH } : {}),
  };
};

const AUTH_ERRORS = ['GW.1001', 'GW.1002', 'GW.1003', 'GW.1004'] as const satisfies readonly ErrorCode[];

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

/** A GET that needs no token and answers one body; like every route, another method on its path is a 405. */
const openGet = (operationId: string, tag: string, summary: string, description: string, ok: { description: string; mediaType: string; schema: Json }, errors: readonly ErrorCode[] = ['GW.0405']): Json => ({
  get: {
    operationId,
    tags: [tag],
    summary,
    description,
    security: OPEN,
    responses: { '200': { description: ok.description, content: { [ok.mediaType]: { schema: ok.schema } } }, ...errorResponses(errors) },
  },
});

/** The stream read as its sequence of events; each is one frame, `event: <event>` then `data: <data as JSON>`. */
const progressEvents: Json = {
  type: 'array',
  items: {
    oneOf: Object.entries({ progress: 'PrecheckProgressItem', done: 'PrecheckProgressDone', error: 'Problem', end: 'PrecheckProgressEnd' }).map(([event, data]) => ({
      type: 'object',
      required: ['event', 'data'],
      properties: { event: { const: event }, data: { $ref: `#/components/schemas/${data}` } },
    })),
  },
};

const projectIdParameter: Json = { name: 'project_id', in: 'path', required: true, schema: { type: 'string', pattern: PROJECT_ID_PATTERN.source } };

/** The component a route's 200 body is: its name in PascalCase, e.g. batch-precheck -> BatchPrecheckResponse. */
export const responseComponentName = (route: Pick<DrsRouteRow, 'name'>): string =>
  `${route.name.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())}Response`;

const drsOperation = (route: DrsRouteRow): Json => ({
  operationId: route.operationId,
  tags: [TAGS.prechecks],
  summary: route.summary,
  description: route.description,
  security: BEARER,
  parameters: [projectIdParameter, ...headerParameters, ...(route.idempotencyKey ? [idempotencyKeyParameter] : [])],
  requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.request, 'input') } } },
  responses: {
    '200': {
      description: "DRS's answer; failed items keep error_code and error_msg.",
      headers: rateLimitHeaders,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${responseComponentName(route)}` } } },
    },
    ...errorResponses(route.errors),
  },
  // What the route does with a repeat, for generated clients (this repository's reads it to decide its retries).
  'x-drs-route': { readOnly: route.readOnly, idempotencyKey: route.idempotencyKey, spendsBudget: route.spendsBudget },
});

const stringProps = (...names: string[]): Json => Object.fromEntries(names.map((n) => [n, { type: 'string' }]));

/** What the client needs to decide on a retry, for every code: the catalogue's status and retry kind. */
const errorCatalogue = (): Json =>
  Object.fromEntries(Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, { status: entry.status, retry: entry.retry }]));

/** `routes` is DRS_ROUTE_TABLE in production; tests pass a copy with rows added. */
export const buildOpenApiDocument = (version: string, routes: DrsRouteTable): Json => ({
  openapi: '3.1.0',
  info: {
    title: 'DRS Pre-check Gateway',
    version,
    description: 'Runs Huawei Cloud DRS batch pre-checks for internal callers. Every error is application/problem+json (RFC 9457); the catalogue is at /errors.',
    contact: { name: 'DRS Pre-check Gateway maintainers' },
    license: { name: 'Proprietary (UNLICENSED): internal use only', identifier: 'LicenseRef-UNLICENSED' },
  },
  // Relative: the document is served by the gateway it describes, so its own origin is the server.
  servers: [{ url: '/', description: 'The gateway serving this document.' }],
  tags: Object.entries(TAG_DESCRIPTIONS).map(([name, description]) => ({ name, description })),
  'x-error-catalogue': errorCatalogue(),
  paths: {
    ...Object.fromEntries(routes.map((route) => [drsRouteTemplate(route), { [route.method.toLowerCase()]: drsOperation(route) }])),
    '/v3/{project_id}/jobs/precheck-progress': {
      get: {
        operationId: 'watchPrecheckProgress',
        tags: [TAGS.prechecks],
        summary: 'Live pre-check progress (server-sent events)',
        description:
          'Scope drs:precheck; opening a stream counts once against the rate limit, and a caller (PRECHECK_STREAMS_PER_CALLER) and a client IP (PRECHECK_STREAMS_PER_IP) may hold only so many open streams (429 GW.2003 with Retry-After). Events (data is JSON): ' +
          '`progress` (PrecheckProgressItem: the DRS result item plus job_id, whenever process, total_passed_rate, result or error_code changes); ' +
          '`done` (PrecheckProgressDone) once per job: DRS said "100%", or answered for the job with an error code, or gave nothing readable for it on 3 polls in a row (then error_code "GW.3004" and the catalogue error_msg); ' +
          '`error` (a Problem) then the stream closes: DRS or IAM failed in a way that will not pass (a 4xx at once, a 5xx, timeout or throttle after 3 retries), or the bearer token expired (GW.1003, with the verifier clock tolerance); ' +
          '`end` ({"reason":"max-lifetime"} after PRECHECK_STREAM_MAX_MS, {"reason":"shutdown"} when the instance drains) then the stream closes: reconnect to keep watching. ' +
          'A comment line every 15 s; the stream closes when every job is done. DRS is polled for a job at most once per PRECHECK_POLL_INTERVAL_MS across all streams and instances.',
        security: BEARER,
        parameters: [
          projectIdParameter,
          { name: 'jobs', in: 'query', required: true, schema: { type: 'string' }, description: '1 to 10 distinct job IDs, comma-separated.' },
          ...headerParameters,
        ],
        responses: {
          '200': { description: 'An event stream: progress, done, error and end events (see the description).', content: { 'text/event-stream': { schema: progressEvents } } },
          ...errorResponses(['GW.0400', 'GW.0405', ...AUTH_ERRORS, 'GW.1005', 'GW.2001', 'GW.2003', 'GW.5030', 'GW.5031']),
        },
      },
    },
    '/healthz': openGet('getHealth', TAGS.operations, 'Liveness', 'Answers while the process serves; reads no dependency.', {
      description: 'The process serves.',
      mediaType: 'application/json',
      schema: { type: 'object', properties: { status: { const: 'ok' } } },
    }),
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        tags: [TAGS.operations],
        summary: 'Readiness',
        description: 'Ready once listening, until the instance drains; the body says how each dependency and region fares.',
        security: OPEN,
        responses: {
          ...Object.fromEntries(
            ['200', '503'].map((status) => [
              status,
              {
                description: status === '200' ? 'Ready (overloaded included: see `overload`).' : 'Starting or draining.',
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
              },
            ]),
          ),
          ...errorResponses(['GW.0405']),
        },
      },
    },
    '/metrics': openGet(
      'getMetrics',
      TAGS.operations,
      'Prometheus metrics (prefix gateway_)',
      'Served here unless METRICS_PORT gives it its own listener (then 404 here). The text may be up to 1 s old.',
      { description: 'Prometheus text format.', mediaType: 'text/plain', schema: { type: 'string' } },
      ['GW.0404', 'GW.0405'],
    ),
    '/errors': openGet('getErrorCatalogue', TAGS.documentation, 'The error catalogue', 'Every error code with its status, title, detail and what the caller should do.', {
      description: 'HTML page with an anchor per code.',
      mediaType: 'text/html',
      schema: { type: 'string' },
    }),
    '/openapi.json': openGet('getOpenApiDocument', TAGS.documentation, 'This document', 'Built once at start-up from the same schemas that validate requests.', {
      description: 'OpenAPI 3.1.',
      mediaType: 'application/json',
      schema: { type: 'object' },
    }),
    '/docs': openGet('getDocsPage', TAGS.documentation, 'This document as a page', 'A self-contained HTML page of every path; it loads nothing from elsewhere.', {
      description: 'HTML.',
      mediaType: 'text/html',
      schema: { type: 'string' },
    }),
    '/admin/config': {
      get: {
        operationId: 'getConfig',
        tags: [TAGS.administration],
        summary: 'Effective configuration, secrets redacted',
        description:
          'Scope gateway:admin:read or gateway:admin. Every credential and region; passwords are "[redacted]" (passwordFile paths and passwordEnv names are shown). With the running version and the outcome of the latest reload.',
        security: BEARER,
        responses: {
          '200': {
            description: 'The configuration tree, the running version and the latest reload.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['version', 'lastReload'],
                  properties: { version: { $ref: '#/components/schemas/ConfigVersion' }, lastReload: { oneOf: [{ $ref: '#/components/schemas/LastReload' }, { type: 'null' }] } },
                },
              },
            },
          },
          ...errorResponses([...AUTH_ERRORS, 'GW.0405']),
        },
      },
    },
    '/admin/config/reload': {
      post: {
        operationId: 'reloadConfig',
        tags: [TAGS.administration],
        summary: 'Reload the configuration, or preview the reload',
        description:
          'Scope gateway:admin. Re-reads GATEWAY_CONFIG, the *_FILE secrets and every passwordFile, as SIGHUP does. All or nothing: any problem (an invalid setting, a restart-only setting changed) refuses the whole reload and the running configuration stays. No body. ' +
          'With dry_run=true (scope gateway:admin:read is enough): the same reading and checks, nothing applied or counted; the answer lists every setting the reload would change (a secret by its name only).',
        security: BEARER,
        parameters: [
          {
            name: 'dry_run',
            in: 'query',
            required: false,
            schema: { enum: ['true', 'false'] },
            description: 'true: preview only. Any other query parameter or value is refused (400), so a misspelt dry run never reloads.',
          },
        ],
        responses: {
          '200': {
            description: 'A reload: the new configuration runs for requests that start from now on. A dry run: what a reload would run and change.',
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    { type: 'object', required: ['version'], properties: { version: { $ref: '#/components/schemas/ConfigVersion' } }, additionalProperties: false },
                    {
                      type: 'object',
                      required: ['valid', 'version', 'changes'],
                      properties: {
                        valid: { const: true },
                        version: { type: 'object', required: ['hash'], properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } } },
                        changes: { type: 'array', items: { $ref: '#/components/schemas/ConfigChange' } },
                      },
                    },
                  ],
                },
              },
            },
          },
          ...errorResponses([...AUTH_ERRORS, 'GW.0400', 'GW.0405', 'GW.4001']),
        },
      },
    },
    '/admin/iam-tokens/invalidate': {
      post: {
        operationId: 'invalidateIamTokens',
        tags: [TAGS.administration],
        summary: 'Drop cached IAM tokens',
        description: 'Scope gateway:admin. No body: every project; {"project_id"}: one.',
        security: BEARER,
        requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(invalidateTokensBodySchema, 'input') } } },
        responses: {
          '200': { description: 'What was dropped.', content: { 'application/json': { schema: { type: 'object' } } } },
          ...errorResponses(['GW.0400', 'GW.0401', 'GW.0405', 'GW.0413', 'GW.0415', ...AUTH_ERRORS]),
        },
      },
    },
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
      ...Object.fromEntries(routes.map((route) => [responseComponentName(route), jsonSchema(route.response, 'output')])),
      ConfigVersion: {
        type: 'object',
        required: ['hash', 'loadedAt'],
        properties: {
          hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'sha256 of the non-secret settings (what /admin/config shows): a rotated secret keeps it.' },
          loadedAt: { type: 'string', format: 'date-time', description: 'When this configuration was loaded; new on every successful reload.' },
        },
      },
      LastReload: {
        type: 'object',
        description: 'The latest reload, by SIGHUP (signal) or POST /admin/config/reload (route), on this instance.',
        required: ['outcome', 'at', 'source'],
        properties: {
          outcome: { enum: ['success', 'failure'] },
          at: { type: 'string', format: 'date-time' },
          source: { enum: ['signal', 'route'] },
          version: { type: 'object', required: ['hash'], properties: { hash: { type: 'string' } }, description: 'On success: the version it runs.' },
          problems: {
            type: 'array',
            description: 'On failure: every problem, each naming its setting (never a value).',
            items: { type: 'object', required: ['setting', 'message'], properties: stringProps('setting', 'message') },
          },
        },
      },
      ConfigChange: {
        type: 'object',
        required: ['setting', 'change', 'restartOnly'],
        properties: {
          setting: { type: 'string', description: 'Dotted path, e.g. rateLimit.tiers or credentials.main.password.' },
          change: { enum: ['added', 'removed', 'changed'] },
          restartOnly: { type: 'boolean', description: 'A setting read only at start: a reload changing it is refused.' },
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
          overload: {
            type: 'object',
            description: 'Overload protection: while `shedding`, /v3 requests get 503 GW.5031 and readiness stays 200 (every instance pulled out at once would help nobody).',
            properties: {
              state: { enum: ['ok', 'shedding'] },
              reason: { enum: [...OVERLOAD_REASONS], description: 'While shedding: the reading over its threshold.' },
              since: { type: 'string', format: 'date-time', description: 'While shedding: when it began.' },
              eventLoopDelayMs: { type: 'integer', description: 'Mean event-loop delay over the last sample.' },
              heapUsedMb: { type: 'integer', description: 'V8 heap in use at the last sample (MiB).' },
            },
          },
        },
      },
    },
  },
});
