// Accepts only application/json bodies under the size limit; parse failures reach the error middleware typed.
import express, { type NextFunction, type Request, type Response } from 'express';
import { GatewayError } from '../errors/GatewayError';

export const jsonBody = (limitBytes: number) => {
  // Not strict: a JSON primitive parses, and validation then says what shape was expected.
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });
  return [
    (req: Request, _res: Response, next: NextFunction): void => {
      next(req.is('application/json') === 'application/json' ? undefined : new GatewayError('GW.0415'));
    },
    parse,
  ];
};
