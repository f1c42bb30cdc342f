// The DRS routes the gateway relays, one row each: what serves, forwards, documents, counts, simulates or calls one reads it here.
//
// A row is a POST the gateway answers at /v3/{project_id}/jobs/<name> by sending the validated body to the same path on
// DRS. The progress stream (GET /v3/{project_id}/jobs/precheck-progress) is not a row: it forwards nothing of its own
// (its polls go through the batch-precheck-result row), answers server-sent events under stream caps, and DRS has no
// such route, so nothing the table derives (a DRS path, a simulated route, a retried client call) fits it.
import { z } from 'zod';
import type { ErrorCode } from '../errors/catalogue';
import { jobIdList, jobsArray, precheckJobSchema } from '../validation/schemas';

export interface DrsRouteRow<Name extends string = string> {
  /** The last path segment, the same on the gateway and on DRS. */
  name: Name;
  /** DRS's v3 batch APIs are all POSTs; the literal keeps another method out until the forwarder can send it. */
  method: 'POST';
  /** Stable: generated clients (this repository's, openapi-generator, orval) name their method after it. */
  operationId: string;
  summary: string;
  description: string;
  /** What the gateway accepts; the caller's body is checked against it before anything is spent or sent. */
  request: z.ZodType<{ jobs: unknown[] }>;
  /** DRS's documented answer; fields DRS adds later pass through, since the gateway relays DRS's own bytes. */
  response: z.ZodType;
  /** Every code the route can answer (DRS.PASSTHROUGH: DRS's own 4xx, with DRS's code). */
  errors: readonly ErrorCode[];
  /** DRS only reads: repeating the call changes nothing, so a client may repeat it after any failure. */
  readOnly: boolean;
  /** Takes an Idempotency-Key: a repeat with the same key and body gets the first 200 again, without a second DRS call. */
  idempotencyKey: boolean;
  /** Costs its number of jobs from the project's job budget, when one is configured. */
  spendsBudget: boolean;
}

/** What any relayed route can answer: validation, the caller's token and project, the limits, and the way to DRS and back. */
export const RELAYED_ROUTE_ERRORS = [
  'GW.0400', 'GW.0401', 'GW.0405', 'GW.0413', 'GW.0415', 'GW.1001', 'GW.1002', 'GW.1003', 'GW.1004', 'GW.1005', 'GW.2001',
  'GW.3001', 'GW.3002', 'GW.3003', 'GW.3004', 'GW.3005', 'GW.3006', 'GW.3007', 'GW.3008', 'GW.5000', 'GW.5030', 'GW.5031', 'DRS.PASSTHROUGH',
] as const satisfies readonly ErrorCode[];
/** Answered only where an Idempotency-Key is taken: the first request still in flight, or the key reused with another body. */
export const IDEMPOTENCY_ERRORS = ['GW.0409', 'GW.0422'] as const satisfies readonly ErrorCode[];
/** Answered only where the route spends the project's job budget. */
export const BUDGET_ERRORS = ['GW.2002'] as const satisfies readonly ErrorCode[];

const text = (description: string) => z.string().optional().describe(description);

export const batchPrecheckBodySchema = z.strictObject(
  { jobs: jobsArray(precheckJobSchema, (job) => (typeof job === 'object' && job !== null ? (job as { job_id?: unknown }).job_id : undefined)) },
  { error: 'must be an object with a jobs array' },
);

export const batchPrecheckResultBodySchema = z.strictObject({ jobs: jobIdList }, { error: 'must be an object with a jobs array' });

/** One job of a batch-precheck answer (reference §1.1). */
const precheckStart = z.looseObject({
  id: text('The job ID.'),
  precheck_id: text('The pre-check ID (the job ID in every documented example); results are read by job ID.'),
  status: z.enum(['success', 'failed']).optional(),
  error_code: text('Set when status is failed. The gateway fills in GW.3004 when DRS left it out or sent something that is not a code.'),
  error_msg: text('Set when status is failed.'),
});

/** One check of a pre-check (reference §1.2). */
const checkItem = z.looseObject({
  item: text('The check, e.g. srcDbConnection.'),
  result: z.enum(['PASSED', 'ALARM', 'FAILED']).optional().describe('ALARM does not fail the pre-check.'),
  failed_reason: text('e.g. SRC_BINLOG_FORMAT_NOT_ROW; may be empty.'),
  data: text("DRS's details, a JSON-like string."),
  raw_error_msg: z.string().optional(),
  group: text('e.g. network, db_params, db_version, db_user_privilege, db_disk_size, db_target_status, src_info_check.'),
  failed_sub_jobs: z.array(z.looseObject({ id: z.string().optional(), name: z.string().optional(), check_result: z.string().optional() })).optional(),
});

/** One job of a batch-precheck-result answer (reference §1.2). */
const precheckReport = z.looseObject({
  precheck_id: text('The job ID the report is for.'),
  result: z.boolean().optional().describe('True when the pre-check passed; the job can start only then.'),
  process: text('Progress, "0%" to "100%"; "100%" when done.'),
  total_passed_rate: text('Share of the checks passed, e.g. "100%".'),
  rds_instance_id: z.string().optional(),
  job_direction: z.enum(['up', 'down', 'non-dbs']).optional(),
  precheck_result: z.array(checkItem).optional(),
  error_code: text('Set when DRS has no report for the job (never pre-checked, unknown).'),
  error_msg: z.string().optional(),
});

/** DRS's batch answer: the gateway answers 200 only when results is an array of objects and count an integer (else GW.3004). */
const batchAnswer = <T extends z.ZodType>(item: T) => z.looseObject({ results: z.array(item), count: z.int() });

export const DRS_ROUTE_TABLE = [
  {
    name: 'batch-precheck',
    method: 'POST',
    operationId: 'startPrecheck',
    summary: 'Start pre-checks',
    description:
      'Scope drs:precheck; project_id must be granted by the token projects claim or one of its groups, and served. 1 to 10 jobs, no duplicate job_id. Costs its number of jobs from the project job budget when one is configured. A job DRS refuses fails inside the 200 (status failed, with error_code and error_msg).',
    request: batchPrecheckBodySchema,
    response: batchAnswer(precheckStart),
    errors: [...RELAYED_ROUTE_ERRORS, ...IDEMPOTENCY_ERRORS, ...BUDGET_ERRORS],
    readOnly: false,
    idempotencyKey: true,
    spendsBudget: true,
  },
  {
    name: 'batch-precheck-result',
    method: 'POST',
    operationId: 'getPrecheckResults',
    summary: 'Read pre-check results',
    description: 'Scope drs:precheck. 1 to 10 distinct job IDs; process reaches "100%" when done.',
    request: batchPrecheckResultBodySchema,
    response: batchAnswer(precheckReport),
    errors: RELAYED_ROUTE_ERRORS,
    readOnly: true,
    idempotencyKey: false,
    spendsBudget: false,
  },
] as const satisfies ReadonlyArray<DrsRouteRow>;

export type DrsRouteName = (typeof DRS_ROUTE_TABLE)[number]['name'];

/** The table as the factories take it: production passes DRS_ROUTE_TABLE, a test may pass a copy with rows added. */
export type DrsRouteTable = ReadonlyArray<DrsRouteRow<DrsRouteName>>;

/** The path of a route on the gateway and on DRS, as OpenAPI writes it. */
export const drsRouteTemplate = (route: Pick<DrsRouteRow, 'name'>): string => `/v3/{project_id}/jobs/${route.name}`;

/** The path on DRS (and on the gateway) for a project and route. */
export const drsPath = (projectId: string, route: DrsRouteName): string => `/v3/${encodeURIComponent(projectId)}/jobs/${route}`;
