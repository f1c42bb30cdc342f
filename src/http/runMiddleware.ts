// Runs one Express middleware inside a handler, as a promise, so a route can be one function instead of a chain.
import type { Request, RequestHandler, Response } from 'express';

/** Resolves with what the middleware passed to next: undefined when it let the request through. */
export const runMiddleware = (middleware: RequestHandler, req: Request, res: Response): Promise<unknown> =>
  new Promise((resolve) => {
    void middleware(req, res, resolve);
  });
