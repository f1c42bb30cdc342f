// The checks every project route makes before its own work: IP gate, token, scope, project, then both limiters.
import type { Request, Response } from 'express';
import type { Caller, TokenVerifier } from '../auth';
import type { RateLimiters } from '../rate-limit/createRateLimiters';
import { authenticateCaller } from './authenticate';
import { authorizeProject } from './authorizeProject';
import { chargeLimits } from './chargeLimits';
import { localsOf } from './requestContext';

export interface Admission {
  caller: Caller;
  projectId: string;
}

/**
 * Plain steps in one function rather than five middlewares: the router's per-layer cost was a measurable share of
 * every pre-check (docs/performance.md). A refused token still charges the IP, whose refusal then answers first.
 */
export const admitProjectCaller = (verifier: TokenVerifier, limiters: Pick<RateLimiters, 'ipLimiter' | 'callerLimiter' | 'ipGate'>) => {
  const limits = chargeLimits(limiters.ipLimiter, limiters.callerLimiter);
  return async (req: Request, res: Response): Promise<Admission> => {
    limiters.ipGate(req, res);
    let admission: Admission;
    try {
      const caller = await authenticateCaller(verifier, 'drs:precheck', req);
      admission = { caller, projectId: authorizeProject(req, caller) };
    } catch (error) {
      throw (await limits.ip(req, res)) ?? error;
    }
    localsOf(res).caller = admission.caller;
    const refusal = await limits.both(req, res);
    if (refusal !== undefined) throw refusal;
    return admission;
  };
};
