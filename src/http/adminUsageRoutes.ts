// Operator routes on what callers use (contract §10): a caller's usage, a project's job budget (each with its reset), the top callers and the recent audit lines; each call writes one audit line.
import type { NextFunction, Request, Response, Router } from 'express';
import type { Caller, TokenVerifier } from '../auth';
import { decodes } from '../config/schema';
import { asGatewayError, GatewayError } from '../errors/GatewayError';
import type { StreamSlots } from '../progress/StreamSlots';
import type { TierUsage } from '../rate-limit/createRateLimiters';
import type { AuditLog } from '../telemetry/AuditLog';
import type { RecentEvents } from '../telemetry/RecentEvents';
import { eventsLimitQuerySchema, subSchema, topCallersQuerySchema } from '../validation/adminSchemas';
import { projectIdSchema } from '../validation/schemas';
import { validateField } from '../validation/validate';
import type { AdminAccess } from './adminAccess';
import type { RuntimeSource } from './admitProjectCaller';
import { chargeLimits } from './chargeLimits';
import { methodNotAllowed } from './methodNotAllowed';
import { localsOf } from './requestContext';
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
  /** Throws 403 GW.1004 when the caller's token may not call a route of this kind. */
  requireAccess: (caller: Caller, access: AdminAccess) => void;
}

interface Answer {
  body?: object;
  /** What the audit line of a success adds besides who, what, how it ended and the target. */
  fields?: object;
}

interface Action {
  name: string;
  access: AdminAccess;
  /** Whose counters or budget, as the path names it, for the audit line whatever the outcome. */
  target?: (req: Request) => object;
  work: (req: Request) => Promise<Answer>;
}

/** A segment Express cannot percent-decode never reaches req.params (see the router's first layer), and the schema says so. */
const subOf = (req: Request): string => validateField(subSchema, req.params.sub, { parameter: 'sub' });

/** With several tiers counting the caller (its scopes changed within a window), the one it entered last. */
const latestTier = (limits: readonly TierUsage[]): string | null =>
  limits.reduce<TierUsage | undefined>((latest, tier) => (latest === undefined || tier.windowMs - tier.resetMs < latest.windowMs - latest.resetMs ? tier : latest), undefined)?.name ??
  null;

export const adminUsageRoutes = (deps: AdminUsageRoutesDeps): Router => {
  const router = strictRouter();

  /**
   * The IP limiter, the token and its scope, then the work; one audit line whatever happens (a refusal for the token
   * or the scope included), with the request id a log search finds the access line by.
   */
  const handle = (action: Action) => async (req: Request, res: Response): Promise<void> => {
    const locals = localsOf(res);
    const audit = (outcome: 'success' | 'failure', fields: object | undefined, msg: string): void =>
      deps.audit.info(
        { audit: 'admin', caller: locals.caller?.sub, action: action.name, outcome, requestId: locals.requestId, version: deps.version(), ...action.target?.(req), ...fields },
        msg,
      );
    let answer: Answer;
    try {
      const refusal = await chargeLimits([deps.runtime.current().limiters.ipLimiter], req, res);
      if (refusal !== undefined) throw refusal;
      locals.caller = await deps.verifier.verify(req.get('authorization'));
      deps.requireAccess(locals.caller, action.access);
      answer = await action.work(req);
    } catch (error) {
      const failure = asGatewayError(error);
      audit('failure', { status: failure.status, code: failure.publicCode }, `${action.name} refused`);
      throw error;
    }
    audit('success', answer.fields, `${action.name} answered`);
    if (answer.body === undefined) res.status(204).end();
    else res.json(answer.body);
  };

  const callerTarget = (req: Request) => ({ sub: req.params.sub });
  const projectTarget = (req: Request) => ({ project: req.params.project_id });
  const readUsage: Action = {
    name: 'caller-usage.read',
    access: 'read',
    target: callerTarget,
    async work(req) {
      const sub = subOf(req);
      const [limits, openStreams] = await Promise.all([deps.runtime.current().limiters.usageOf(sub), deps.streams.openFor(sub)]);
      return { body: { sub, tier: latestTier(limits), limits, openStreams } };
    },
  };
  const resetUsage: Action = {
    name: 'caller-usage.reset',
    access: 'admin',
    target: callerTarget,
    async work(req) {
      await deps.runtime.current().limiters.resetCaller(subOf(req));
      return {};
    },
  };
  /** A well-formed project ID the gateway serves, else 400 or 404. */
  const servedProject = (req: Request) => {
    const projectId = validateField(projectIdSchema, req.params.project_id, { parameter: 'project_id' });
    const runtime = deps.runtime.current();
    const project = runtime.resolve(projectId);
    if (project === undefined) throw new GatewayError('GW.0404', { detail: { 'en-us': 'The gateway does not serve this project.', 'zh-cn': '网关不服务该项目。' } });
    return { projectId, budget: runtime.budget, jobBudget: project.jobBudget };
  };
  const readBudget: Action = {
    name: 'project-budget.read',
    access: 'read',
    target: projectTarget,
    async work(req) {
      const { projectId, budget, jobBudget } = servedProject(req);
      return { body: { project_id: projectId, ...(await budget.usage(projectId, jobBudget)) } };
    },
  };
  const resetBudget: Action = {
    name: 'project-budget.reset',
    access: 'admin',
    target: projectTarget,
    async work(req) {
      const { projectId, budget } = servedProject(req);
      await budget.reset(projectId);
      return {};
    },
  };
  const readTop: Action = {
    name: 'top-callers.read',
    access: 'read',
    async work(req) {
      const top = validateField(topCallersQuerySchema, req.query.top, { parameter: 'top' });
      return { body: await deps.runtime.current().limiters.topCallers(top), fields: { top } };
    },
  };
  const readEvents: Action = {
    name: 'events.read',
    access: 'read',
    async work(req) {
      const limit = validateField(eventsLimitQuerySchema, req.query.limit, { parameter: 'limit' });
      return { body: await deps.events.read(limit), fields: { limit } };
    },
  };

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
    const action = req.method === 'DELETE' ? route?.delete : req.method === 'GET' || req.method === 'HEAD' ? route?.get : undefined;
    if (route === undefined) next();
    else if (action === undefined) methodNotAllowed(ALLOWED)(req, res, next);
    else handle(action)(req, res).catch(next);
  });

  for (const route of withParameter) {
    router.route(route.path).get(handle(route.get)).delete(handle(route.delete)).all(methodNotAllowed(ALLOWED));
  }
  router.route('/admin/usage').get(handle(readTop)).all(methodNotAllowed(['GET', 'HEAD']));
  router.route('/admin/events').get(handle(readEvents)).all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
