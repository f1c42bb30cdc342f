// While the gateway is overloaded, /v3 requests are refused at once (503 GW.5031); health, readiness, metrics and admin still answer.
import { randomInt } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors/GatewayError';
import type { PromMetrics } from '../metrics/PromMetrics';
import { OVERLOAD_RETRY_AFTER_S, type OverloadMonitor } from '../overload/OverloadMonitor';

/**
 * Only the callers' API is shed: it is where the load comes from and what the typed client retries. Probes and scrapes
 * are few and cheap, and an orchestrator that saw them fail would restart a pod that is merely busy.
 */
const SHED_PREFIX = '/v3/';

export const shedOverload = (monitor: Pick<OverloadMonitor, 'shedding' | 'reason'>, metrics: Pick<PromMetrics, 'overloadShed'>) =>
  (req: Request, _res: Response, next: NextFunction): void => {
    // The one read on every request's path; the rest runs only while shedding.
    if (!monitor.shedding || !req.path.startsWith(SHED_PREFIX)) {
      next();
      return;
    }
    metrics.overloadShed(monitor.reason);
    next(new GatewayError('GW.5031', { retryAfterSeconds: randomInt(OVERLOAD_RETRY_AFTER_S.min, OVERLOAD_RETRY_AFTER_S.max + 1) }));
  };
