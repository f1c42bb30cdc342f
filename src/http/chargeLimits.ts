// Charges the per-IP and per-caller limiters together, so both counters travel to Redis in one round trip.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Runs one middleware and resolves with what it passed to next (undefined when it let the request through). */
const settle = (middleware: RequestHandler, req: Request, res: Response): Promise<unknown> =>
  new Promise((resolve) => {
    void middleware(req, res, resolve);
  });

/**
 * Every request counts against its IP, authenticated or not; the caller's own budget is charged only once it is
 * known who the caller is. Started in the same tick, the two scripts share one auto-pipelined write to Redis.
 */
export const chargeLimits = (ipLimiter: RequestHandler, callerLimiter: RequestHandler) => ({
  /** After authentication and authorization succeeded: both limiters at once; the IP verdict wins. */
  both: async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const [ipVerdict, callerVerdict] = await Promise.all([settle(ipLimiter, req, res), settle(callerLimiter, req, res)]);
    next(ipVerdict ?? callerVerdict);
  },
  /** When authentication or authorization failed: the IP is still charged, and its limit answers first. */
  ipOnFailure: async (error: unknown, req: Request, res: Response, next: NextFunction): Promise<void> => {
    next((await settle(ipLimiter, req, res)) ?? error);
  },
});
