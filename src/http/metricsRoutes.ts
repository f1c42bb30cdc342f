// GET /metrics in Prometheus text format, on the public app or on its own listener (METRICS_PORT).
import type { Express, NextFunction, Request, Response, Router } from 'express';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/GatewayError';
import type { PromMetrics } from '../metrics/PromMetrics';
import { createErrorHandler } from './errorHandler';
import { methodNotAllowed } from './methodNotAllowed';
import { requestContext } from './requestContext';
import { strictApp, strictRouter } from './strictRouter';

export const metricsRoutes = (metrics: PromMetrics): Router => {
  const router = strictRouter();
  router
    .route('/metrics')
    .get(async (_req, res) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.scrape());
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};

export interface MetricsAppDeps {
  metrics: PromMetrics;
  logger: Logger;
  errorTypeBase: string;
}

/** The metrics listener: /metrics and nothing else, so a scraper's network never reaches the API. */
export const createMetricsApp = (deps: MetricsAppDeps): Express => {
  const app = strictApp();
  app.use(requestContext, metricsRoutes(deps.metrics));
  app.use((_req: Request, _res: Response, next: NextFunction) => next(new GatewayError('GW.0404')));
  app.use(createErrorHandler(deps.logger, deps.errorTypeBase));
  return app;
};
