// GET /metrics in Prometheus text format, and the per-request timing that feeds it.
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { PromMetrics } from '../metrics/PromMetrics';
import { methodNotAllowed } from './methodNotAllowed';

/** Route patterns, never raw paths, label the histogram, so project IDs cannot explode its cardinality. */
export const timeRequests = (metrics: PromMetrics) =>
  (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = typeof req.route?.path === 'string' ? req.route.path : 'unmatched';
      metrics.observeRequest(route, req.method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

export const metricsRoutes = (metrics: PromMetrics): Router => {
  const router = Router();
  router
    .route('/metrics')
    .get(async (_req, res) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
