// Charges a request's limiters together, so every counter travels to Redis in one round trip.
import type { Request, RequestHandler, Response } from 'express';
import { runMiddleware } from './runMiddleware';

/**
 * Every limiter is started in the same tick, so their scripts share one auto-pipelined write to Redis. Resolves with
 * the refusal to throw (the first in list order wins: the IP's before the caller's), or undefined.
 */
export const chargeLimits = async (limiters: readonly RequestHandler[], req: Request, res: Response): Promise<unknown> => {
  const verdicts = await Promise.all(limiters.map((limiter) => runMiddleware(limiter, req, res)));
  return verdicts.find((verdict) => verdict !== undefined);
};
