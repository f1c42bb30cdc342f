// Authenticates the bearer token and checks the route's scope; the caller lands in res.locals.
import type { NextFunction, Request, Response } from 'express';
import { requireScope, type Caller, type RequiredScope, type TokenVerifier } from '../auth';
import { localsOf } from './requestContext';

export const authenticateCaller = async (verifier: TokenVerifier, scope: RequiredScope, req: Request): Promise<Caller> => {
  const caller = await verifier.verify(req.get('authorization'));
  requireScope(caller, scope);
  return caller;
};

export const authenticate = (verifier: TokenVerifier, scope: RequiredScope) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    localsOf(res).caller = await authenticateCaller(verifier, scope, req);
    next();
  };
