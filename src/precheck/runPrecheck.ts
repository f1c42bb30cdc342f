// The pre-check use case, outside Express: idempotency claim -> job budget -> forward -> finish or release.
import type { Language } from '../errors/catalogue';
import type { IdempotencyOutcome, IdempotentRequest } from '../idempotency/createIdempotency';
import type { ForwardRequest, ForwardResult } from '../upstream/createPrecheckForwarder';
import type { DrsRoute } from './drsRoutes';

/** Where the project was resolved to (admission resolves it, before the rate limits, so an unserved project costs nothing). */
export interface ResolvedProject {
  jobBudget?: number;
  forwarder: { forward(request: ForwardRequest): Promise<ForwardResult> };
}

export interface PrecheckDeps {
  idempotency: { begin(request: IdempotentRequest): Promise<IdempotencyOutcome> };
  budget: { spend(projectId: string, jobs: number, budget: number): Promise<void> };
}

export interface PrecheckInput {
  sub: string;
  projectId: string;
  project: ResolvedProject;
  route: { name: DrsRoute; spendsBudget: boolean };
  body: { jobs: unknown[] };
  /** Already validated; only routes that spend the budget take one. */
  idempotencyKey?: string;
  language: Language;
  requestId: string;
  traceparent?: string;
}

export interface PrecheckAnswer {
  /** DRS's JSON text (or the stored first answer, on a replay). */
  text: string;
  upstreamRequestId?: string;
  replayed: boolean;
}

export const runPrecheck = async (deps: PrecheckDeps, input: PrecheckInput): Promise<PrecheckAnswer> => {
  const { projectId, project, route, body } = input;
  const idempotent =
    input.idempotencyKey === undefined || !route.spendsBudget
      ? undefined
      : await deps.idempotency.begin({ sub: input.sub, key: input.idempotencyKey, projectId, body });
  if (idempotent?.kind === 'replay') return { text: idempotent.response.body, upstreamRequestId: idempotent.response.upstreamRequestId, replayed: true };
  try {
    if (route.spendsBudget && project.jobBudget !== undefined) await deps.budget.spend(projectId, body.jobs.length, project.jobBudget);
    const result = await project.forwarder.forward({
      projectId,
      route: route.name,
      body,
      language: input.language,
      requestId: input.requestId,
      traceparent: input.traceparent,
    });
    if (idempotent?.kind === 'first') {
      // A lost record only means a later repeat waits for the claim to lapse (409), never a second pre-check.
      await idempotent.finish({ status: 200, body: result.text, upstreamRequestId: result.upstreamRequestId }).catch(() => undefined);
    }
    return { text: result.text, upstreamRequestId: result.upstreamRequestId, replayed: false };
  } catch (error) {
    // Errors are not replayed: the key is freed so the caller can retry it.
    if (idempotent?.kind === 'first') await idempotent.release().catch(() => undefined);
    throw error;
  }
};
