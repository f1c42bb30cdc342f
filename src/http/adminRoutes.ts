// Operator routes (scope gateway:admin): the effective configuration (redacted) and its reload, and dropping cached IAM tokens; each writes one audit line.
import type { AuditLog } from '../telemetry/AuditLog';
import type { NextFunction, Request, Response, Router } from 'express';
import { strictRouter } from './strictRouter';
import type { TokenVerifier } from '../auth';
import type { ConfigHolder } from '../config/ConfigHolder';
import { GatewayError } from '../errors/GatewayError';
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
  /** Already redacted, with the running `version`. */
  effectiveConfig: () => Record<string, unknown>;
  /** The running configuration: its version goes in every audit line, and the reload route reloads it. */
  config: Pick<ConfigHolder, 'current' | 'reload'>;
  bodyLimitBytes: number;
  audit: AuditLog;
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
  /** Who (the caller's sub), what, how it ended and under which configuration; `audit` sets these lines apart from access lines. */
  const audit = (res: Response, action: string, outcome: 'success' | 'failure', fields: object, msg: string): void =>
    deps.audit.info({ audit: 'admin', caller: localsOf(res).caller?.sub, action, outcome, version: deps.config.current().version.hash, ...fields }, msg);

  router
    .route('/admin/config')
    .get(...admin, (_req: Request, res: Response) => {
      audit(res, 'config.read', 'success', {}, 'configuration read');
      res.json(deps.effectiveConfig());
    })
    .all(methodNotAllowed(['GET', 'HEAD']));

  router
    .route('/admin/config/reload')
    .post(...admin, async (_req: Request, res: Response) => {
      const result = await deps.config.reload('route');
      if (!result.ok) {
        audit(res, 'config.reload', 'failure', { settings: result.problems.map((p) => p.key) }, 'configuration reload refused');
        throw new GatewayError('GW.4001', { errors: result.problems.map((p) => ({ setting: p.key, message: p.problem })) });
      }
      audit(res, 'config.reload', 'success', {}, 'configuration reloaded');
      res.json({ version: result.running.version });
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/admin/iam-tokens/invalidate')
    .post(...admin, async (req: Request, res: Response) => {
      const { project_id: projectId } = validateBody(invalidateTokensBodySchema, await readBody(req, res));
      if (projectId === undefined) {
        const dropped = await deps.runtime.current().invalidateTokens();
        audit(res, 'iam-tokens.invalidate', 'success', { scope: 'all', dropped }, 'IAM tokens invalidated');
        res.json({ scope: 'all', dropped });
        return;
      }
      // Dropped for the project's credential (and region); an unserved project has no token to drop.
      await deps.runtime.current().invalidateTokens(projectId);
      audit(res, 'iam-tokens.invalidate', 'success', { scope: 'project', projectId }, 'IAM tokens invalidated');
      res.json({ scope: 'project', project_id: projectId });
    })
    .all(methodNotAllowed(['POST']));

  return router;
};
