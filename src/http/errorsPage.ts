// GET /errors: the catalogue as a page, so every problem `type` URI leads somewhere useful.
import { Router } from 'express';
import { renderCatalogueHtml } from '../errors/renderCatalogue';
import { methodNotAllowed } from './methodNotAllowed';

export const errorsPage = (): Router => {
  const page = renderCatalogueHtml();
  const router = Router();
  router
    .route('/errors')
    .get((_req, res) => {
      res.type('html').send(page);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
