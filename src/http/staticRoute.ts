// A GET (and HEAD) route that always answers the same body, rendered once at start-up; 405 for other methods.
import type { RequestHandler, Router } from 'express';
import { strictRouter } from './strictRouter';
import { methodNotAllowed } from './methodNotAllowed';

/** `before` runs ahead of the answer (headers of this route only). */
export const staticRoute = (path: string, type: string, body: string, ...before: RequestHandler[]): Router => {
  const router = strictRouter();
  router
    .route(path)
    .get(...before, (_req, res) => {
      res.type(type).send(body);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
