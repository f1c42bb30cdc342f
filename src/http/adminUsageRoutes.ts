// Operator routes on what callers use (contract §10): a caller's usage, a project's job budget (each with its reset), the top callers and the recent audit lines; each call writes one audit line.
import type { NextFunction, Request, Response, Router } from 'express';
import type { TokenVerifier } from '../auth';
import { decodes } from '../config/schema';
import { GatewayError } from '../errors/GatewayError';
import type { StreamSlots } from '../progress/StreamSlots';
import type { TierUsage } from '../rate-limit/createRateLimiters';
import type { AuditLog } from '../telemetry/AuditLog';
import type { RecentEvents } from '../telemetry/RecentEvents';
import { eventsLimitQuerySchema, subSchema, topCallersQuerySchema } from '../validation/adminSchemas';
import { projectIdSchema } from '../validation/schemas';
import { validateField } from '../validation/validate';
import { ADMIN_SCOPE, adminAction, READ_SCOPE, type AdminTarget } from './adminAction';
import type { RuntimeSource } from './admitProjectCaller';
import { methodNotAllowed } from './methodNotAllowed';
import { strictRouter } from './strictRouter';

export interface AdminUsageRoutesDeps {
  verifier: TokenVerifier;
  /** The limiters (and their counters), the projects served and their budgets, of the running configuration. */
  runtime: RuntimeSource;
  streams: Pick<StreamSlots, 'openFor'>;
  events: Pick<RecentEvents, 'read'>;
  audit: AuditLog;
  /** The running configuration's hash, in every audit line. */
  version: () => string;
}

/** A segment Express cannot percent-decode never reaches req.params (see the router's first layer), and the schema says so. */
const subOf = (req: Request): string => validateField(subSchema, req.params.sub, { parameter: 'sub' });

/** With several tiers counting the caller (its scopes changed within a window), the one it entered last. */
const latestTier = (limits: readonly TierUsage[]): string | null =>
  limits.reduce<TierUsage | undefined>((latest, tier) => (latest === undefined || tier.windowMs - tier.resetMs < latest.windowMs - latest.resetMs ? tier : latest), undefined)?.name ??
  null;

const callerTarget: AdminTarget = (req) => ({ sub: req.params.sub });
const projectTarget: AdminTarget = (req) => ({ project: req.params.project_id });

export const adminUsageRoutes = (deps: AdminUsageRoutesDeps): Router => {
  const router = strictRouter();
  const action = adminAction({ verifier: deps.verifier, runtime: deps.runtime, audit: deps.audit, version: deps.version });

  const readUsage = action(
    'caller-usage.read',
    READ_SCOPE,
    async (req, res) => {
      const sub = subOf(req);
      const [limits, openStreams] = await Promise.all([deps.runtime.current().limiters.usageOf(sub), deps.streams.openFor(sub)]);
      res.json({ sub, tier: latestTier(limits), limits, openStreams });
    },
    callerTarget,
  );
  const resetUsage = action(
    'caller-usage.reset',
    ADMIN_SCOPE,
    async (req, res) => {
      await deps.runtime.current().limiters.resetCaller(subOf(req));
      res.status(204).end();
    },
    callerTarget,
  );
  /** A well-formed project ID the gateway serves, else 400 or 404. */
  const servedProject = (req: Request) => {
    const projectId = validateField(projectIdSchema, req.params.project_id, { parameter: 'project_id' });
    const runtime = deps.runtime.current();
    const project = runtime.resolve(projectId);
    if (project === undefined) throw new GatewayError('GW.0404', { detail: { 'en-us': 'The gateway does not serve this project.', 'zh-cn': '网关不服务该项目。' } });
    return { projectId, budget: runtime.budget, jobBudget: project.jobBudget };
  };
  const readBudget = action(
    'project-budget.read',
    READ_SCOPE,
    async (req, res) => {
      const { projectId, budget, jobBudget } = servedProject(req);
      res.json({ project_id: projectId, ...(await budget.usage(projectId, jobBudget)) });
    },
    projectTarget,
  );
  const resetBudget = action(
    'project-budget.reset',
    ADMIN_SCOPE,
    async (req, res) => {
      const { projectId, budget } = servedProject(req);
      await budget.reset(projectId);
      res.status(204).end();
    },
    projectTarget,
  );
  const readTop = action('top-callers.read', READ_SCOPE, async (req, res, note) => {
    const top = validateField(topCallersQuerySchema, req.query.top, { parameter: 'top' });
    note.fields.top = top;
    res.json(await deps.runtime.current().limiters.topCallers(top));
  });
  const readEvents = action('events.read', READ_SCOPE, async (req, res, note) => {
    const limit = validateField(eventsLimitQuerySchema, req.query.limit, { parameter: 'limit' });
    note.fields.limit = limit;
    res.json(await deps.events.read(limit));
  });

  const withParameter = [
    { path: '/admin/callers/:sub/usage', raw: /^\/admin\/callers\/([^/]+)\/usage$/, get: readUsage, delete: resetUsage },
    { path: '/admin/projects/:project_id/budget', raw: /^\/admin\/projects\/([^/]+)\/budget$/, get: readBudget, delete: resetBudget },
  ];
  const ALLOWED = ['GET', 'HEAD', 'DELETE'];

  /**
   * Express answers a path segment it cannot percent-decode with an error of its own before any handler runs; the
   * route's handler runs instead, without the parameter, so the call is authenticated, audited and refused with 400.
   */
  router.use((req: Request, res: Response, next: NextFunction) => {
    const route = withParameter.find(({ raw }) => {
      const segment = raw.exec(req.path)?.[1];
      return segment !== undefined && !decodes(segment);
    });
    const handler = req.method === 'DELETE' ? route?.delete : req.method === 'GET' || req.method === 'HEAD' ? route?.get : undefined;
    if (route === undefined) next();
    else if (handler === undefined) methodNotAllowed(ALLOWED)(req, res, next);
    else handler(req, res).catch(next);
  });

  for (const route of withParameter) {
    router.route(route.path).get(route.get).delete(route.delete).all(methodNotAllowed(ALLOWED));
  }
  router.route('/admin/usage').get(readTop).all(methodNotAllowed(['GET', 'HEAD']));
  router.route('/admin/events').get(readEvents).all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
