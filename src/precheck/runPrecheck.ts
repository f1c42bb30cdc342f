// The pre-check use case, outside Express: idempotency claim -> job budget -> forward -> finish or release, then one audit line.
import { ERROR_CATALOGUE, type Language } from '../errors/catalogue';
import { asGatewayError, GatewayError } from '../errors/GatewayError';
import type { IdempotencyOutcome, IdempotentRequest } from '../idempotency/createIdempotency';
import type { StoredResponse } from '../idempotency/IdempotencyStore';
import type { AuditLog } from '../telemetry/AuditLog';
import type { RequestTrail } from '../telemetry/RequestTrail';
import type { ForwardRequest, ForwardResult } from '../upstream/createPrecheckForwarder';
import type { DrsRouteName, DrsRouteRow } from '../drs/drsRouteTable';

/** Where the project was resolved to (admission resolves it, before the rate limits, so an unserved project costs nothing). */
export interface ResolvedProject {
  region: string;
  jobBudget?: number;
  forwarder: { forward(request: ForwardRequest): Promise<ForwardResult> };
}

export interface PrecheckDeps {
  idempotency: { begin(request: IdempotentRequest): Promise<IdempotencyOutcome> };
  budget: { spend(projectId: string, jobs: number, budget: number): Promise<void> };
  /** Where the audit trail goes: one line per pre-check call, marked `audit: "precheck"`. */
  audit: AuditLog;
}

export interface PrecheckInput {
  sub: string;
  /** The calling application (`azp` or `client_id`), when the token names one. */
  client?: string;
  projectId: string;
  project: ResolvedProject;
  route: Pick<DrsRouteRow<DrsRouteName>, 'name' | 'idempotencyKey' | 'spendsBudget'>;
  body: { jobs: unknown[] };
  /** Already validated; only routes whose row takes an Idempotency-Key read one. */
  idempotencyKey?: string;
  language: Language;
  requestId: string;
  traceparent?: string;
  /** Filled by the forwarder (token origin, DRS status and time); the audit line reads DRS's status from it. */
  trail: RequestTrail;
}

export interface PrecheckAnswer {
  /** DRS's JSON text (or the stored first answer, on a replay). */
  text: string;
  upstreamRequestId?: string;
  replayed: boolean;
}

/** A job as the audit line names it: its ID, and the mode a pre-check was started in. */
const auditedJob = (job: unknown): { job_id: unknown; precheck_mode?: unknown } =>
  typeof job === 'object' && job !== null ? { job_id: (job as { job_id?: unknown }).job_id, precheck_mode: (job as { precheck_mode?: unknown }).precheck_mode } : { job_id: job };

/**
 * Who asked what of which project and region, and what DRS answered; never the token or any other part of the body.
 * Written for every call that reached the use case (refusals before it, by a limiter or validation, are access lines).
 */
const writeAudit = (deps: PrecheckDeps, input: PrecheckInput, outcome: { answer?: PrecheckAnswer; error?: unknown; replayed: boolean }): void => {
  const { answer, error, replayed } = outcome;
  const failure = error === undefined ? undefined : asGatewayError(error);
  deps.audit.info(
    {
      audit: 'precheck',
      action: input.route.name,
      outcome: failure ? 'failure' : 'success',
      caller: input.sub,
      client: input.client,
      project: input.projectId,
      region: input.project.region,
      jobs: input.body.jobs.map(auditedJob),
      status: failure ? failure.status : 200,
      code: failure?.publicCode,
      replayed: replayed || undefined,
      upstream: {
        statusCode: replayed ? undefined : (input.trail.upstreamStatus ?? failure?.options.upstream?.status),
        requestId: answer?.upstreamRequestId ?? input.trail.upstreamRequestId,
      },
      requestId: input.requestId,
    },
    failure ? `${input.route.name} failed` : `${input.route.name} answered`,
  );
};

export const runPrecheck = async (deps: PrecheckDeps, input: PrecheckInput): Promise<PrecheckAnswer> => {
  const state = { replayed: false };
  let answer: PrecheckAnswer;
  try {
    answer = await attempt(deps, input, state);
  } catch (error) {
    writeAudit(deps, input, { error, replayed: state.replayed });
    throw error;
  }
  writeAudit(deps, input, { answer, replayed: state.replayed });
  return answer;
};

/** The first answer again: DRS's 200 text, or the same failure (rebuilt, so it carries this request's id). */
const replay = (response: StoredResponse): PrecheckAnswer => {
  const upstreamRequestId = response.upstreamRequestId;
  if (response.failure === undefined) return { text: response.body, upstreamRequestId, replayed: true };
  throw new GatewayError(response.failure.code, {
    upstream: response.failure.upstream,
    headers: { 'Idempotency-Replayed': 'true', ...(upstreamRequestId ? { 'X-Upstream-Request-Id': upstreamRequestId } : {}) },
  });
};

/**
 * What a failed first request leaves under its key. A failure after which DRS may have started the pre-check (its
 * answer lost, invalid or a 5xx, or none in time) is kept and replayed, so no repeat of the key can start it twice;
 * any other failure frees the key, since nothing started and the caller may retry with it.
 */
const storedFailure = (error: unknown): StoredResponse | undefined => {
  const failure = asGatewayError(error);
  if (ERROR_CATALOGUE[failure.code].retry !== 'may-have-started') return undefined;
  return { status: failure.status, failure: { code: failure.code, upstream: failure.options.upstream }, upstreamRequestId: failure.options.headers?.['X-Upstream-Request-Id'] };
};

const attempt = async (deps: PrecheckDeps, input: PrecheckInput, state: { replayed: boolean }): Promise<PrecheckAnswer> => {
  const { projectId, project, route, body } = input;
  const idempotent =
    input.idempotencyKey === undefined || !route.idempotencyKey
      ? undefined
      : await deps.idempotency.begin({ sub: input.sub, key: input.idempotencyKey, projectId, body });
  if (idempotent?.kind === 'replay') {
    state.replayed = true;
    return replay(idempotent.response);
  }
  try {
    if (route.spendsBudget && project.jobBudget !== undefined) await deps.budget.spend(projectId, body.jobs.length, project.jobBudget);
    const result = await project.forwarder.forward({
      projectId,
      route: route.name,
      body,
      language: input.language,
      requestId: input.requestId,
      traceparent: input.traceparent,
      trail: input.trail,
    });
    if (idempotent?.kind === 'first') {
      // A record Redis lost or no replica acknowledged: a repeat waits for the claim to lapse (409), then may start
      // again (docs/reliability.md's window); the 200 stands, since DRS did start.
      await idempotent.finish({ status: 200, body: result.text, upstreamRequestId: result.upstreamRequestId }).catch(() => undefined);
    }
    return { text: result.text, upstreamRequestId: result.upstreamRequestId, replayed: false };
  } catch (error) {
    if (idempotent?.kind === 'first') {
      const stored = storedFailure(error);
      // A lost record frees the key after the claim lapses, as for a lost 200 (the documented window).
      await (stored ? idempotent.finish(stored) : idempotent.release()).catch(() => undefined);
    }
    throw error;
  }
};
