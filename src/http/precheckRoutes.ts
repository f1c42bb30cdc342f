// The DRS routes of the route table: admit the caller, read and validate the body, then forward.
import type { Request, Response, Router } from 'express';
import type { TokenVerifier } from '../auth';
import type { Idempotency } from '../idempotency/createIdempotency';
import type { DrsRouteRow, DrsRouteTable } from '../drs/drsRouteTable';
import { runPrecheck, type PrecheckDeps } from '../precheck/runPrecheck';
import { childTraceparent } from '../upstream/traceparent';
import { idempotencyKeySchema } from '../validation/schemas';
import { validateBody, validateField } from '../validation/validate';
import { admitProjectCaller, type RuntimeSource } from './admitProjectCaller';
import { jsonBody } from './jsonBody';
import { methodNotAllowed } from './methodNotAllowed';
import { localsOf } from './requestContext';

export interface PrecheckRoutesDeps {
  verifier: TokenVerifier;
  bodyLimitBytes: number;
  /** Resolver, limiters, budget and forwarders of the running configuration, read once per request. */
  runtime: RuntimeSource;
  idempotency: Idempotency;
  audit: PrecheckDeps['audit'];
  /** Each row becomes one route; read once, here, so a request looks nothing up. */
  routes: DrsRouteTable;
}
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

/** A row's method as Express registers it: a method added to the row type fails to compile until it is listed here. */
const ROUTER_METHOD = { POST: 'post' } as const satisfies Record<DrsRouteRow['method'], string>;

/**
 * Registered on the app itself, not on a router the app mounts: a nested router's entry, exit and prefix
 * handling showed up in every pre-check's profile (docs/performance.md).
 */
export const precheckRoutes = (router: Pick<Router, 'route'>, deps: PrecheckRoutesDeps): void => {
  const admit = admitProjectCaller(deps.verifier, deps.runtime);
  const readJson = jsonBody(deps.bodyLimitBytes);
  for (const route of deps.routes) {
    const path = router.route(`/v3/:project_id/jobs/${route.name}`);
    path[ROUTER_METHOD[route.method]](async (req: Request, res: Response) => {
      const { caller, projectId, project, runtime, alongside: body } = await admit(req, res, async () => validateBody(route.request, await readJson(req, res)));
      const locals = localsOf(res);
      const idempotencyKey = route.idempotencyKey ? req.get('idempotency-key') : undefined;
      const answer = await runPrecheck(
        { idempotency: deps.idempotency, budget: runtime.budget, audit: deps.audit },
        {
          sub: caller.sub,
          client: caller.client,
          projectId,
          project,
          route,
          body,
          idempotencyKey: idempotencyKey === undefined ? undefined : validateField(idempotencyKeySchema, idempotencyKey, { header: 'Idempotency-Key' }),
          language: locals.language,
          requestId: locals.requestId,
          // A traced request sends its DRS span's traceparent instead (the forwarder makes it).
          traceparent: locals.trail.trace ? undefined : childTraceparent(req.get('traceparent')),
          trail: locals.trail,
        },
      );
      if (answer.replayed) res.setHeader('Idempotency-Replayed', 'true');
      sendJson(res, answer.text, answer.upstreamRequestId);
    });
    path.all(methodNotAllowed([route.method]));
  }
};
