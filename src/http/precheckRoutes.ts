// The two DRS pre-check routes: admit the caller, read and validate the body, then forward.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { TokenVerifier } from '../auth';
import type { RateLimiters } from '../rate-limit/createRateLimiters';
import type { JobBudget } from '../rate-limit/JobBudget';
import type { Idempotency } from '../idempotency/createIdempotency';
import type { DrsRoute, PrecheckForwarder } from '../upstream/createPrecheckForwarder';
import { childTraceparent } from '../upstream/traceparent';
import { batchPrecheckBodySchema, batchPrecheckResultBodySchema, idempotencyKeySchema } from '../validation/schemas';
import { validateBody, validateField } from '../validation/validate';
import { admitProjectCaller } from './admitProjectCaller';
import { jsonBody } from './jsonBody';
import { methodNotAllowed } from './methodNotAllowed';
import { localsOf } from './requestContext';

export interface PrecheckRoutesDeps {
  verifier: TokenVerifier;
  forwarder: PrecheckForwarder;
  bodyLimitBytes: number;
  /** Per IP (every request) and per caller (authenticated requests), charged together after authentication. */
  limiters: Pick<RateLimiters, 'ipLimiter' | 'callerLimiter' | 'ipGate'>;
  /** Present when PROJECT_JOB_BUDGET is set. */
  budget?: JobBudget;
  idempotency: Idempotency;
}

/** Only starting pre-checks spends a project's job budget; reading results is free. */
const ROUTES: ReadonlyArray<{ route: DrsRoute; schema: z.ZodType<{ jobs: unknown[] }>; spendsBudget: boolean }> = [
  { route: 'batch-precheck', schema: batchPrecheckBodySchema, spendsBudget: true },
  { route: 'batch-precheck-result', schema: batchPrecheckResultBodySchema, spendsBudget: false },
];

/**
 * A 200 with DRS's JSON text as it is, so the body is not serialised a second time. Written directly rather than
 * through res.send, whose charset parsing and freshness check mean nothing for a POST answer.
 */
const sendJson = (res: Response, text: string, upstreamRequestId: string | undefined): void => {
  if (upstreamRequestId) res.setHeader('X-Upstream-Request-Id', upstreamRequestId);
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
};

/**
 * Registered on the app itself, not on a router the app mounts: a nested router's entry, exit and prefix
 * handling showed up in every pre-check's profile (docs/performance.md).
 */
export const precheckRoutes = (router: Pick<Router, 'route'>, deps: PrecheckRoutesDeps): void => {
  const admit = admitProjectCaller(deps.verifier, deps.limiters);
  const readJson = jsonBody(deps.bodyLimitBytes);
  for (const { route, schema, spendsBudget } of ROUTES) {
    router
      .route(`/v3/:project_id/jobs/${route}`)
      .post(async (req: Request, res: Response) => {
        const { caller, projectId, alongside: body } = await admit(req, res, async () => validateBody(schema, await readJson(req, res)));
        const locals = localsOf(res);
        const idempotencyKey = spendsBudget ? req.get('idempotency-key') : undefined;
        const idempotent =
          idempotencyKey === undefined
            ? undefined
            : await deps.idempotency.begin({
                sub: caller.sub,
                key: validateField(idempotencyKeySchema, idempotencyKey, { header: 'Idempotency-Key' }),
                projectId,
                body,
              });
        if (idempotent?.kind === 'replay') {
          res.setHeader('Idempotency-Replayed', 'true');
          sendJson(res, idempotent.response.body, idempotent.response.upstreamRequestId);
          return;
        }
        try {
          if (spendsBudget) await deps.budget?.spend(projectId, body.jobs.length);
          const result = await deps.forwarder.forward({
            projectId,
            route,
            body,
            language: locals.language,
            requestId: locals.requestId,
            traceparent: childTraceparent(req.get('traceparent')),
          });
          if (idempotent?.kind === 'first') {
            // A lost record only means a later repeat waits for the claim to lapse (409), never a second pre-check.
            await idempotent.finish({ status: 200, body: result.text, upstreamRequestId: result.upstreamRequestId }).catch(() => undefined);
          }
          sendJson(res, result.text, result.upstreamRequestId);
        } catch (error) {
          // Errors are not replayed: the key is freed so the caller can retry it.
          if (idempotent?.kind === 'first') await idempotent.release().catch(() => undefined);
          throw error;
        }
      })
      .all(methodNotAllowed(['POST']));
  }
};
