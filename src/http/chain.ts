// Runs several middlewares as one Express layer: the router's per-layer cost is paid once, not once each.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** In order; the first error or the first middleware that answers ends the walk, as in the router. */
export const chain = (middlewares: readonly RequestHandler[]): RequestHandler =>
  (req: Request, res: Response, next: NextFunction): void => {
    let index = 0;
    // A throw or rejection is a failure whatever its value, as in the router: `throw undefined` must not pass.
    const fail = (thrown: unknown): void => next(thrown ?? new Error('A middleware failed without an error'));
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null) {
        next(error);
        return;
      }
      const middleware = middlewares[index];
      index += 1;
      if (middleware === undefined) {
        next();
        return;
      }
      try {
        const returned: unknown = middleware(req, res, step);
        if (returned instanceof Promise) returned.catch(fail);
      } catch (thrown) {
        fail(thrown);
      }
    };
    step();
  };
