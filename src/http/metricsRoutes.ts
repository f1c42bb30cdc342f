// GET /metrics in Prometheus text format.
import { Router } from 'express';
import type { PromMetrics } from '../metrics/PromMetrics';
import { methodNotAllowed } from './methodNotAllowed';

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
