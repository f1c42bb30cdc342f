// Assembles the Express app from ready-made parts; everything it needs arrives in AppDeps.
import cors from 'cors';
import type { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth';
import { GatewayError } from '../errors/GatewayError';
import type { PromMetrics } from '../metrics/PromMetrics';
import type { Idempotency } from '../idempotency/createIdempotency';
import type { OverloadMonitor } from '../overload/OverloadMonitor';
import type { ProgressHub } from '../progress/ProgressHub';
import type { StreamSlots } from '../progress/StreamSlots';
import type { Clock } from '../clock';
import type { DrsRouteTable } from '../drs/drsRouteTable';
import type { AuditLog } from '../telemetry/AuditLog';
import type { RecentEvents } from '../telemetry/RecentEvents';
import type { RequestTracer } from '../telemetry/RequestSpans';
import { accessLog } from './accessLog';
import type { RuntimeSource } from './admitProjectCaller';
import { chain } from './chain';
import { adminConsoleRoutes } from './adminConsoleRoutes';
import { adminRoutes, type AdminRoutesDeps } from './adminRoutes';
import { adminUsageRoutes } from './adminUsageRoutes';
import { API_CSP } from './contentSecurityPolicy';
import { docsRoutes } from './docsRoutes';
import { createErrorHandler } from './errorHandler';
import { errorsPage } from './errorsPage';
import { healthRoutes, type ReadinessProbe } from './healthRoutes';
import { metricsRoutes } from './metricsRoutes';
import { precheckRoutes } from './precheckRoutes';
import { progressRoutes } from './progressRoutes';
import { requestContext } from './requestContext';
import { shedOverload } from './shedOverload';
import { strictApp } from './strictRouter';
import { traceRequests } from './traceRequests';

export interface AppDeps {
  logger: Logger;
  /** Audit lines (pre-checks and admin actions), each marked by a top-level `audit` field. */
  audit: AuditLog;
  /** The last audit lines, for GET /admin/events. */
  events: Pick<RecentEvents, 'read'>;
  verifier: TokenVerifier;
  readiness: ReadinessProbe;
  /** Its flag decides, per request, whether /v3 is shed (503 GW.5031). */
  overload: Pick<OverloadMonitor, 'shedding' | 'reason'>;
  metrics: PromMetrics;
  /** Already redacted, with the running `version` and `lastReload`. */
  effectiveConfig: AdminRoutesDeps['effectiveConfig'];
  config: AdminRoutesDeps['config'];
  /** The running configuration's resolver, limiters, budget, forwarders and token caches (replaced on reload). */
  runtime: RuntimeSource;
  idempotency: Idempotency;
  /** `shutdown` is aborted when the listener closes: every open progress stream ends then. */
  progress: { hub: ProgressHub; slots: StreamSlots; clock: Clock; heartbeatMs: number; maxStreamMs: number; shutdown?: AbortSignal };
  trustProxy: number;
  bodyLimitBytes: number;
  corsOrigins: readonly string[];
  errorTypeBase: string;
  /** False when METRICS_PORT gives /metrics its own listener: the public port then answers 404 for it. */
  publicMetrics: boolean;
  /** Present only when tracing is on; without it no request runs any tracing code. */
  tracer?: RequestTracer;
  /** The DRS routes served, forwarded and documented: DRS_ROUTE_TABLE, or a test's copy with rows added. */
  drsRoutes: DrsRouteTable;
}

const EXPOSED_HEADERS = ['X-Request-Id', 'X-Upstream-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'Idempotency-Replayed'];
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-Language', 'X-Request-Id', 'Idempotency-Key', 'traceparent'];

/** Express's own prefix rule for app.use(['/v3', '/admin']): the segment itself or anything below it. */
const NO_STORE_PATHS = /^\/(?:v3|admin)(?:\/|$)/;
const API_SEGMENTS = new Set(['v3', 'admin']);

/** The first path segment as a lenient proxy or cache would read it: any case, empty and dot segments skipped, decoded. */
const firstSegment = (path: string): string => {
  const segment = path.split('/').find((s) => s !== '' && s !== '.') ?? '';
  try {
    return decodeURIComponent(segment).toLowerCase();
  } catch {
    return segment.toLowerCase();
  }
};

// Every spelling of an API path is marked, the 404s of the spellings the strict router refuses included.
const noStore = (req: Request, res: Response, next: NextFunction): void => {
  if (NO_STORE_PATHS.test(req.path) || API_SEGMENTS.has(firstSegment(req.path))) res.setHeader('Cache-Control', 'no-store');
  next();
};

export const createApp = (deps: AppDeps): Express => {
  const app = strictApp();
  app.set('trust proxy', deps.trustProxy);
  app.set('etag', false);

  // What every request gets, walked as one layer (the router's per-layer cost showed in every pre-check's profile).
  app.use(
    chain([
      requestContext,
      ...(deps.tracer ? [traceRequests(deps.tracer)] : []),
      accessLog(deps.logger, deps.metrics),
      helmet({ contentSecurityPolicy: API_CSP }),
      cors({
        origin: deps.corsOrigins.length > 0 ? [...deps.corsOrigins] : false,
        allowedHeaders: ALLOWED_HEADERS,
        exposedHeaders: EXPOSED_HEADERS,
        methods: ['GET', 'POST'],
        maxAge: 600,
      }),
      noStore,
      // Last, so a shed answer still has its request id, access line, CORS headers and Cache-Control.
      shedOverload(deps.overload, deps.metrics),
    ]),
  );

  // The hot path first: every layer before it would be walked on every pre-check.
  precheckRoutes(app, { verifier: deps.verifier, bodyLimitBytes: deps.bodyLimitBytes, runtime: deps.runtime, idempotency: deps.idempotency, audit: deps.audit, routes: deps.drsRoutes });
  app.use(progressRoutes({ verifier: deps.verifier, runtime: deps.runtime, ...deps.progress, errorTypeBase: deps.errorTypeBase }));
  app.use(healthRoutes(deps.readiness));
  app.use(errorsPage());
  app.use(docsRoutes(deps.drsRoutes));
  if (deps.publicMetrics) app.use(metricsRoutes(deps.metrics));
  app.use(adminConsoleRoutes());

  app.use(
    adminRoutes({
      verifier: deps.verifier,
      runtime: deps.runtime,
      effectiveConfig: deps.effectiveConfig,
      config: deps.config,
      bodyLimitBytes: deps.bodyLimitBytes,
      audit: deps.audit,
    }),
  );
  app.use(
    adminUsageRoutes({
      verifier: deps.verifier,
      runtime: deps.runtime,
      streams: deps.progress.slots,
      events: deps.events,
      audit: deps.audit,
      version: () => deps.config.current().version.hash,
    }),
  );

  app.use((_req: Request, _res: Response, next: NextFunction) => next(new GatewayError('GW.0404')));
  app.use(createErrorHandler(deps.logger, deps.errorTypeBase));
  return app;
};
