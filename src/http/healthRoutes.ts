// Liveness and readiness: /healthz while the process serves, /readyz naming each dependency's state.
import type { Router } from 'express';
import type { OverloadStatus } from '../overload/OverloadMonitor';
import { strictRouter } from './strictRouter';
import { methodNotAllowed } from './methodNotAllowed';

export type Phase = 'starting' | 'ready' | 'draining';

export interface ReadinessProbe {
  phase(): Phase;
  /** e.g. { redis: 'disabled', iam: 'up', upstream: 'up', regions: { default: { drs: 'up', iam: 'up' } } } */
  dependencies(): Record<string, unknown>;
  overload(): OverloadStatus;
}

export const healthRoutes = (probe: ReadinessProbe): Router => {
  const router = strictRouter();
  router
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  router
    .route('/readyz')
    .get((_req, res) => {
      const phase = probe.phase();
      // Dependency trouble and overload are reported, not fatal: the gateway still answers with a clear error, so it
      // stays in rotation; pulling every overloaded instance out at once would only move the load onto none.
      res.status(phase === 'ready' ? 200 : 503).json({ status: phase, dependencies: probe.dependencies(), overload: probe.overload() });
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
