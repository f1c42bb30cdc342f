// A GET (and HEAD) route that always answers the same body, rendered once at start-up; 405 for other methods.
import { Router } from 'express';
import { methodNotAllowed } from './methodNotAllowed';

export const staticRoute = (path: string, type: string, body: string): Router => {
  const router = Router();
  router
    .route(path)
    .get((_req, res) => {
      res.type(type).send(body);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
