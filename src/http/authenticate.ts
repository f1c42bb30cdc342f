// Authenticates the bearer token and checks the route's scope; the caller lands in res.locals, a refused one included.
import type { Request, Response } from 'express';
import { requireScope, type Caller, type RequiredScope, type TokenVerifier } from '../auth';
import { localsOf } from './requestContext';

/** The caller is recorded before its scope is checked, so the access and audit lines of a 403 say who was refused. */
export const authenticate = async (verifier: TokenVerifier, scope: RequiredScope, req: Request, res: Response): Promise<Caller> => {
  const caller = await verifier.verify(req.get('authorization'));
  localsOf(res).caller = caller;
  requireScope(caller, scope);
  return caller;
};
