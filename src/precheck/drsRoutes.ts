// The DRS routes the gateway relays, as one table: the HTTP routes, the forwarder and the OpenAPI document read it.
import type { z } from 'zod';
import { batchPrecheckBodySchema, batchPrecheckResultBodySchema } from '../validation/schemas';

export interface DrsRouteEntry<Name extends string = string> {
  /** The last path segment, the same on the gateway and on DRS: /v3/{project_id}/jobs/<name>. */
  name: Name;
  schema: z.ZodType<{ jobs: unknown[] }>;
  /** Only starting pre-checks spends a project's job budget (and takes an Idempotency-Key); reading results is free. */
  spendsBudget: boolean;
  summary: string;
  description: string;
  /** The OpenAPI component its 200 body is. */
  responseSchema: string;
}

const TABLE = [
  {
    name: 'batch-precheck',
    schema: batchPrecheckBodySchema,
    spendsBudget: true,
    summary: 'Start pre-checks',
    description:
      'Scope drs:precheck; project_id must be granted by the token projects claim or one of its groups, and served. 1 to 10 jobs, no duplicate job_id. Costs its number of jobs from the project job budget when one is configured.',
    responseSchema: 'BatchPrecheckResponse',
  },
  {
    name: 'batch-precheck-result',
    schema: batchPrecheckResultBodySchema,
    spendsBudget: false,
    summary: 'Read pre-check results',
    description: 'Scope drs:precheck. 1 to 10 distinct job IDs; progress reaches "100%" when done.',
    responseSchema: 'BatchPrecheckResultResponse',
  },
] as const satisfies ReadonlyArray<DrsRouteEntry>;

export type DrsRoute = (typeof TABLE)[number]['name'];

/** Widened so a route's schema reads as "a body with jobs" wherever the table is walked. */
export const DRS_ROUTES: ReadonlyArray<DrsRouteEntry<DrsRoute>> = TABLE;

/** The path on DRS (and on the gateway) for a project and route. */
export const drsPath = (projectId: string, route: DrsRoute): string => `/v3/${encodeURIComponent(projectId)}/jobs/${route}`;
