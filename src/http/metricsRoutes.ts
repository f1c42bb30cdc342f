// GET /metrics in Prometheus text format.
import type { Router } from 'express';
import { strictRouter } from './strictRouter';
import type { PromMetrics } from '../metrics/PromMetrics';
import { methodNotAllowed } from './methodNotAllowed';

export const metricsRoutes = (metrics: PromMetrics): Router => {
  const router = strictRouter();
  router
    .route('/metrics')
    .get(async (_req, res) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
