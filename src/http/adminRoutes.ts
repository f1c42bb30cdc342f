// Operator routes: the effective configuration (redacted), its reload and dry run, and dropping cached IAM tokens; scopes gateway:admin:read and gateway:admin, one audit line per call.
import type { AuditLog } from '../telemetry/AuditLog';
import type { Request, Response, Router } from 'express';
import { strictRouter } from './strictRouter';
import type { TokenVerifier } from '../auth';
import type { ConfigProblem } from '../config/ConfigError';
import type { ConfigHolder } from '../config/ConfigHolder';
import { settingProblems } from '../config/settingProblems';
import { GatewayError } from '../errors/GatewayError';
import { invalidateTokensBodySchema, reloadQuerySchema } from '../validation/schemas';
import { validateBody, validateField } from '../validation/validate';
import { ADMIN_SCOPE, adminAction, READ_SCOPE } from './adminAction';
import type { RuntimeSource } from './admitProjectCaller';
import { jsonBody } from './jsonBody';
import { methodNotAllowed } from './methodNotAllowed';

export interface AdminRoutesDeps {
  verifier: TokenVerifier;
  /** The IP limiter and the token caches come from the running configuration. */
  runtime: RuntimeSource;
  /** Already redacted, with the running `version` and `lastReload`. */
  effectiveConfig: () => Record<string, unknown>;
  /** The running configuration: its version goes in every audit line, the reload route reloads or previews it. */
  config: Pick<ConfigHolder, 'current' | 'reload' | 'preview'>;
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

const refusedReload = (problems: readonly ConfigProblem[]): GatewayError =>
  new GatewayError('GW.4001', { errors: settingProblems(problems) });

export const adminRoutes = (deps: AdminRoutesDeps): Router => {
  const router = strictRouter();
  const action = adminAction({ verifier: deps.verifier, runtime: deps.runtime, audit: deps.audit, version: () => deps.config.current().version.hash });
  const readBody = optionalJson(deps.bodyLimitBytes);

  router
    .route('/admin/config')
    .get(
      action('config.read', READ_SCOPE, (_req, res, note) => {
        note.message = 'configuration read';
        res.json(deps.effectiveConfig());
      }),
    )
    .all(methodNotAllowed(['GET', 'HEAD']));

  const reload = action('config.reload', ADMIN_SCOPE, async (_req, res, note) => {
    const result = await deps.config.reload('route');
    if (!result.ok) {
      note.fields.settings = result.problems.map((p) => p.key);
      note.message = 'configuration reload refused';
      throw refusedReload(result.problems);
    }
    note.message = 'configuration reloaded';
    res.json({ version: result.running.version });
  });
  // Read-only: it reads the sources and compares, and neither the running configuration, its version, lastReload nor
  // the reload counters move.
  const dryRun = action('config.dry-run', READ_SCOPE, async (_req, res, note) => {
    const result = await deps.config.preview();
    if (!result.ok) {
      note.fields.settings = result.problems.map((p) => p.key);
      note.message = 'configuration dry run refused';
      throw refusedReload(result.problems);
    }
    note.fields.changes = result.changes.length;
    note.message = 'configuration dry run';
    res.json({ valid: true, version: { hash: result.hash }, changes: result.changes });
  });
  // A query the route does not know is refused to any admin reader before anything runs: never a reload by mistake.
  const badQuery = action('config.reload', READ_SCOPE, (req) => void validateField(reloadQuerySchema, req.query, { parameter: 'dry_run' }));
  router
    .route('/admin/config/reload')
    .post((req: Request, res: Response) => {
      const query = reloadQuerySchema.safeParse(req.query);
      if (!query.success) return badQuery(req, res);
      return query.data.dry_run === 'true' ? dryRun(req, res) : reload(req, res);
    })
    .all(methodNotAllowed(['POST']));

  router
    .route('/admin/iam-tokens/invalidate')
    .post(
      action('iam-tokens.invalidate', ADMIN_SCOPE, async (req, res, note) => {
        const { project_id: projectId } = validateBody(invalidateTokensBodySchema, await readBody(req, res));
        note.message = 'IAM tokens invalidated';
        if (projectId === undefined) {
          const dropped = await deps.runtime.current().invalidateTokens();
          note.fields = { scope: 'all', dropped };
          res.json({ scope: 'all', dropped });
          return;
        }
        // Dropped for the project's credential (and region); an unserved project has no token to drop.
        await deps.runtime.current().invalidateTokens(projectId);
        note.fields = { scope: 'project', projectId };
        res.json({ scope: 'project', project_id: projectId });
      }),
    )
    .all(methodNotAllowed(['POST']));

  return router;
};
