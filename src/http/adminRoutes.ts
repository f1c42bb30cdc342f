// Operator routes (scope gateway:admin): the effective configuration, redacted, and dropping cached IAM tokens.
import type { NextFunction, Request, Response, Router } from 'express';
import { strictRouter } from './strictRouter';
import type { TokenVerifier } from '../auth';
import { invalidateTokensBodySchema } from '../validation/schemas';
import { validateBody } from '../validation/validate';
import type { RuntimeSource } from './admitProjectCaller';
import { authenticate } from './authenticate';
import { jsonBody } from './jsonBody';
import { methodNotAllowed } from './methodNotAllowed';
import { localsOf } from './requestContext';

export interface AdminRoutesDeps {
  verifier: TokenVerifier;
  /** The IP limiter and the token caches come from the running configuration. */
  runtime: RuntimeSource;
  /** Already redacted. */
  effectiveConfig: () => Record<string, unknown>;
  bodyLimitBytes: number;
  audit: { info(obj: object, msg: string): void };
}

/** An empty body means "all projects"; a body must be JSON like any other. */
const optionalJson = (limitBytes: number) => {
  const readJson = jsonBody(limitBytes);
  return async (req: Request, res: Response): Promise<unknown> =>
    req.headers['content-length'] === '0' || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)
      ? {}
      : readJson(req, res);
};

export const adminRoutes = (deps: AdminRoutesDeps): Router => {
  const router = strictRouter();
  const ipLimiter = (req: Request, res: Response, next: NextFunction) => deps.runtime.current().limiters.ipLimiter(req, res, next);
  const admin = [ipLimiter, authenticate(deps.verifier, 'gateway:admin')];
  const readBody = optionalJson(deps.bodyLimitBytes);

  router
    .route('/admin/config')
    .get(...admin, (_req: Request, res: Response) => {
      res.json(deps.effectiveConfig());
    })
    .all(methodNotAllowed(['GET', 'HEAD']));

  router
    .route('/admin/iam-tokens/invalidate')
    .post(...admin, async (req: Request, res: Response) => {
      const { project_id: projectId } = validateBody(invalidateTokensBodySchema, await readBody(req, res));
      const caller = localsOf(res).caller?.sub;
      if (projectId === undefined) {
        const dropped = await deps.runtime.current().invalidateTokens();
        deps.audit.info({ caller, scope: 'all', dropped }, 'IAM tokens invalidated');
        res.json({ scope: 'all', dropped });
        return;
      }
      // Dropped for the project's credential (and region); an unserved project has no token to drop.
      await deps.runtime.current().invalidateTokens(projectId);
      deps.audit.info({ caller, scope: 'project', projectId }, 'IAM tokens invalidated');
      res.json({ scope: 'project', project_id: projectId });
    })
    .all(methodNotAllowed(['POST']));

  return router;
};
