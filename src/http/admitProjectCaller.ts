// The checks every project route makes before its own work: IP gate, token, scope, project, then both limiters.
import type { Request, Response } from 'express';
import type { Caller, TokenVerifier } from '../auth';
import type { RateLimiters } from '../rate-limit/createRateLimiters';
import { authenticateCaller } from './authenticate';
import { authorizeProject } from './authorizeProject';
import { chargeLimits } from './chargeLimits';
import { localsOf } from './requestContext';

export interface Admission<T> {
  caller: Caller;
  projectId: string;
  /** What the route's own first step gave, run alongside the limiter round trip. */
  alongside: T;
}

/**
 * Plain steps in one function rather than five middlewares: the router's per-layer cost was a measurable share of
 * every pre-check (docs/performance.md). A refused token still charges the IP, whose refusal then answers first.
 */
export const admitProjectCaller = (verifier: TokenVerifier, limiters: Pick<RateLimiters, 'ipLimiter' | 'callerLimiter' | 'ipGate'>) => {
  const limits = chargeLimits(limiters.ipLimiter, limiters.callerLimiter);
  return async <T>(req: Request, res: Response, alongside: () => Promise<T>): Promise<Admission<T>> => {
    limiters.ipGate(req, res);
    let caller: Caller;
    let projectId: string;
    try {
      caller = await authenticateCaller(verifier, 'drs:precheck', req);
      projectId = authorizeProject(req, caller);
    } catch (error) {
      throw (await limits.ip(req, res)) ?? error;
    }
    localsOf(res).caller = caller;
    // Only an authorized caller gets this far, so reading its body while Redis answers costs nothing to a flood of
    // bad tokens; the body read overlaps the round trip instead of following it, and a refusal still answers first.
    const step = alongside().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const refusal = await limits.both(req, res);
    if (refusal !== undefined) throw refusal;
    const outcome = await step;
    if ('error' in outcome) throw outcome.error;
    return { caller, projectId, alongside: outcome.value };
  };
};
