// The OpenAPI paths of the admin usage routes: a caller's usage, a project's budget, the top callers and the recent events.
import type { ErrorCode } from '../errors/catalogue';
import { DEFAULT_EVENTS_LIMIT, DEFAULT_TOP_CALLERS, MAX_EVENTS_LIMIT, MAX_TOP_CALLERS } from '../validation/adminSchemas';
import { PROJECT_ID_PATTERN } from '../validation/schemas';

type Json = Record<string, unknown>;

/** What buildOpenApiDocument shares with these paths: error responses by code, the token and scope errors, and their tag. */
export interface OpenApiHelpers {
  errorResponses(codes: readonly ErrorCode[]): Json;
  authErrors: readonly ErrorCode[];
  tag: string;
}

const READ = 'Scope gateway:admin:read or gateway:admin.';
const ACT = 'Scope gateway:admin.';
const SHARED = 'With Redis configured, the state every instance shares; 503 GW.5030 while Redis fails.';

const subParameter: Json = {
  name: 'sub',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1 },
  description: "The caller's sub, percent-encoded (svc%2Fa%20b%40x for svc/a b@x); decoded once.",
};
const projectParameter: Json = { name: 'project_id', in: 'path', required: true, schema: { type: 'string', pattern: PROJECT_ID_PATTERN.source } };
const countParameter = (name: string, max: number, fallback: number, what: string): Json => ({
  name,
  in: 'query',
  required: false,
  schema: { type: 'integer', minimum: 1, maximum: max, default: fallback },
  description: what,
});
const json = (description: string, schema: Json): Json => ({ description, content: { 'application/json': { schema } } });
const noContent: Json = { description: 'Done.' };
const nullableInteger = { type: ['integer', 'null'] };

const callerUsage: Json = {
  type: 'object',
  required: ['sub', 'tier', 'limits', 'openStreams'],
  properties: {
    sub: { type: 'string' },
    tier: { type: ['string', 'null'] },
    limits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'limit', 'windowMs', 'remaining', 'resetMs'],
        properties: { name: { type: 'string' }, limit: { type: 'integer' }, windowMs: { type: 'integer' }, remaining: { type: 'integer' }, resetMs: { type: 'integer' } },
      },
    },
    openStreams: { type: 'integer' },
  },
};

export const adminUsagePaths = ({ errorResponses, authErrors, tag }: OpenApiHelpers): Json => ({
  '/admin/callers/{sub}/usage': {
    parameters: [subParameter],
    get: {
      operationId: 'getCallerUsage',
      tags: [tag],
      summary: "A caller's usage",
      description: `${READ} Every tier's counter for the sub that is open in its window (a caller's tier comes from its token's scopes); tier is the one entered last, null when none counts the caller. ${SHARED}`,
      security: [{ bearerAuth: [] }],
      responses: {
        '200': json('The counters and open progress streams.', callerUsage),
        ...errorResponses(['GW.0400', 'GW.0405', ...authErrors, 'GW.2001', 'GW.5030']),
      },
    },
    delete: {
      operationId: 'resetCallerUsage',
      tags: [tag],
      summary: "Reset a caller's counters",
      description: `${ACT} Drops the caller's counter in every tier, on every instance: its next request opens a new window.`,
      security: [{ bearerAuth: [] }],
      responses: { '204': noContent, ...errorResponses(['GW.0400', 'GW.0405', ...authErrors, 'GW.2001', 'GW.5030']) },
    },
  },
  '/admin/projects/{project_id}/budget': {
    parameters: [projectParameter],
    get: {
      operationId: 'getProjectBudget',
      tags: [tag],
      summary: "A project's job budget",
      description: `${READ} limit, remaining and resetMs are null for a project without a budget; remaining is the whole budget and resetMs 0 when no window is open. ${SHARED}`,
      security: [{ bearerAuth: [] }],
      responses: {
        '200': json('The budget.', {
          type: 'object',
          required: ['project_id', 'limit', 'remaining', 'resetMs'],
          properties: { project_id: { type: 'string' }, limit: nullableInteger, remaining: nullableInteger, resetMs: nullableInteger },
        }),
        ...errorResponses(['GW.0400', 'GW.0404', 'GW.0405', ...authErrors, 'GW.2001', 'GW.5030']),
      },
    },
    delete: {
      operationId: 'resetProjectBudget',
      tags: [tag],
      summary: "Reset a project's job budget",
      description: `${ACT} Ends the project's window on every instance: its next batch-precheck opens a new one.`,
      security: [{ bearerAuth: [] }],
      responses: { '204': noContent, ...errorResponses(['GW.0400', 'GW.0404', 'GW.0405', ...authErrors, 'GW.2001', 'GW.5030']) },
    },
  },
  '/admin/usage': {
    get: {
      operationId: 'getTopCallers',
      tags: [tag],
      summary: 'Top callers of the current window',
      description: `${READ} Requests charged to each caller's tier (refusals by that limit included), in windows of RATE_LIMIT_WINDOW_MS aligned on the epoch. ${SHARED}`,
      security: [{ bearerAuth: [] }],
      parameters: [countParameter('top', MAX_TOP_CALLERS, DEFAULT_TOP_CALLERS, 'How many callers, most requests first.')],
      responses: {
        '200': json('The callers.', {
          type: 'object',
          required: ['windowMs', 'callers'],
          properties: {
            windowMs: { type: 'integer' },
            callers: { type: 'array', items: { type: 'object', required: ['sub', 'tier', 'requests'], properties: { sub: { type: 'string' }, tier: { type: 'string' }, requests: { type: 'integer' } } } },
          },
        }),
        ...errorResponses(['GW.0400', 'GW.0405', ...authErrors, 'GW.2001', 'GW.5030']),
      },
    },
  },
  '/admin/events': {
    get: {
      operationId: 'getRecentEvents',
      tags: [tag],
      summary: 'Recent audit lines',
      description: `${READ} The last audit lines (pre-checks and admin calls) as the log writes them, newest first. shared: true when they are every instance's (Redis), false without Redis or while it fails (this instance's only).`,
      security: [{ bearerAuth: [] }],
      parameters: [countParameter('limit', MAX_EVENTS_LIMIT, DEFAULT_EVENTS_LIMIT, 'How many lines.')],
      responses: {
        '200': json('The lines.', {
          type: 'object',
          required: ['events', 'shared'],
          properties: { events: { type: 'array', items: { type: 'object', additionalProperties: true } }, shared: { type: 'boolean' } },
        }),
        ...errorResponses(['GW.0400', 'GW.0405', ...authErrors, 'GW.2001']),
      },
    },
  },
});
