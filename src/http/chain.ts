// Runs several middlewares as one Express layer: the router's per-layer cost is paid once, not once each.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** In order; the first error or the first middleware that answers ends the walk, as in the router. */
export const chain = (middlewares: readonly RequestHandler[]): RequestHandler =>
  (req: Request, res: Response, next: NextFunction): void => {
    let index = 0;
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
        if (returned instanceof Promise) returned.catch(step);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
