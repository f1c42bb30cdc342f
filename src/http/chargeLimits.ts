// Charges the per-IP and per-caller limiters together, so both counters travel to Redis in one round trip.
import type { Request, RequestHandler, Response } from 'express';
import { runMiddleware } from './runMiddleware';

/**
 * Every request counts against its IP, authenticated or not; the caller's own budget is charged only once it is
 * known who the caller is. Started in the same tick, the two scripts share one auto-pipelined write to Redis.
 * Each function resolves with the refusal to throw, or undefined.
 */
export const chargeLimits = (ipLimiter: RequestHandler, callerLimiter: RequestHandler) => ({
  /** After authentication and authorization succeeded: both limiters at once; the IP verdict wins. */
  both: async (req: Request, res: Response): Promise<unknown> => {
    const [ipVerdict, callerVerdict] = await Promise.all([runMiddleware(ipLimiter, req, res), runMiddleware(callerLimiter, req, res)]);
    return ipVerdict ?? callerVerdict;
  },
  /** When authentication or authorization failed: the IP is still charged. */
  ip: (req: Request, res: Response): Promise<unknown> => runMiddleware(ipLimiter, req, res),
});
