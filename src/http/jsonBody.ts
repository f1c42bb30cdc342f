// Reads an application/json body under the size limit; parse failures reach the error middleware typed.
import express, { type Request, type Response } from 'express';
import { GatewayError } from '../errors/GatewayError';
import { runMiddleware } from './runMiddleware';

export const jsonBody = (limitBytes: number) => {
  // Not strict: a JSON primitive parses, and validation then says what shape was expected.
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });
  return async (req: Request, res: Response): Promise<unknown> => {
    if (req.is('application/json') !== 'application/json') throw new GatewayError('GW.0415');
    // body-parser would read a declared-too-long body to its end before reporting it, so a slow sender held the
    // answer (and the connection) until the request timeout; refused here, the answer goes out at once.
    if (Number(req.headers['content-length']) > limitBytes) throw new GatewayError('GW.0413');
    const failure = await runMiddleware(parse, req, res);
    if (failure !== undefined) throw failure;
    return req.body as unknown;
  };
};
