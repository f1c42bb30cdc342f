// Authenticates the bearer token and checks the route's scope; the caller lands in res.locals.
import type { NextFunction, Request, Response } from 'express';
import { requireScope, type RequiredScope, type TokenVerifier } from '../auth';
import { localsOf } from './requestContext';

export const authenticate = (verifier: TokenVerifier, scope: RequiredScope) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const caller = await verifier.verify(req.get('authorization'));
    requireScope(caller, scope);
    localsOf(res).caller = caller;
    next();
  };
