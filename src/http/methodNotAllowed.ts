// 405 with Allow for a known path asked with a method it does not serve.
import type { NextFunction, Request, Response } from 'express';
import { GatewayError } from '../errors/GatewayError';

export const methodNotAllowed = (allowed: readonly string[]) =>
  (_req: Request, _res: Response, next: NextFunction): void => {
    next(new GatewayError('GW.0405', { headers: { Allow: allowed.join(', ') } }));
  };
