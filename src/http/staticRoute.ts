// A GET (and HEAD) route that always answers the same body, rendered once at start-up; 405 for other methods.
import type { Router } from 'express';
import { strictRouter } from './strictRouter';
import { methodNotAllowed } from './methodNotAllowed';

export const staticRoute = (path: string, type: string, body: string): Router => {
  const router = strictRouter();
  router
    .route(path)
    .get((_req, res) => {
      res.type(type).send(body);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
