// The checks every project route makes before its own work: IP gate, token, scope, project, then the caller's limiters.
import type { Request, Response } from 'express';
import type { Caller, TokenVerifier } from '../auth';
import type { RuntimeHolder } from '../topology/createRuntimeHolder';
import type { Runtime, ServedProject } from '../topology/Runtime';
import { authenticate } from './authenticate';
import { authorizeProject } from './authorizeProject';
import { chargeLimits } from './chargeLimits';
import { localsOf } from './requestContext';

/** Where the request path reads the running configuration's snapshot, once per request. */
export type RuntimeSource = Pick<RuntimeHolder, 'current'>;

export interface Admission<T> {
  caller: Caller;
  projectId: string;
  /** Its region and credential's forwarder, and its job budget. */
  project: ServedProject;
  /** The snapshot the whole request runs on, even when a reload lands meanwhile. */
  runtime: Runtime;
  /** What the route's own first step gave, run alongside the limiter round trip. */
  alongside: T;
}

/**
 * Plain steps in one function rather than five middlewares: the router's per-layer cost was a measurable share of
 * every pre-check (docs/performance.md). A refused token still charges the IP, whose refusal then answers first.
 */
export const admitProjectCaller = (verifier: TokenVerifier, runtimes: RuntimeSource) => {
  return async <T>(req: Request, res: Response, alongside: () => Promise<T>): Promise<Admission<T>> => {
    const runtime = runtimes.current();
    const { limiters } = runtime;
    limiters.ipGate(req);
    let caller: Caller;
    let admitted: { projectId: string; project: ServedProject };
    try {
      caller = await authenticate(verifier, 'drs:precheck', req, res);
      admitted = authorizeProject(req, caller, runtime);
    } catch (error) {
      throw (await chargeLimits([limiters.ipLimiter], req, res)) ?? error;
    }
    const locals = localsOf(res);
    locals.trail.projectId = admitted.projectId;
    locals.trail.region = admitted.project.region;
    // Only an authorized caller gets this far, so reading its body while Redis answers costs nothing to a flood of
    // bad tokens; the body read overlaps the round trip instead of following it, and a refusal still answers first.
    const step = alongside().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const refusal = await chargeLimits(limiters.forCaller(caller), req, res);
    if (refusal !== undefined) throw refusal;
    const outcome = await step;
    if ('error' in outcome) throw outcome.error;
    return { caller, ...admitted, runtime, alongside: outcome.value };
  };
};
