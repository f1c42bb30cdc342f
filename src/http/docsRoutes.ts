// GET /openapi.json and GET /docs, both rendered once at start-up from the same document.
import { Router } from 'express';
import { buildOpenApiDocument } from '../openapi/buildOpenApiDocument';
import { renderDocsPage } from '../openapi/renderDocsPage';
import { GATEWAY_VERSION } from '../version';
import { methodNotAllowed } from './methodNotAllowed';

export const docsRoutes = (): Router => {
  const document = buildOpenApiDocument(GATEWAY_VERSION);
  const json = JSON.stringify(document);
  const page = renderDocsPage(document);
  const router = Router();
  router
    .route('/openapi.json')
    .get((_req, res) => {
      res.type('application/json').send(json);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  router
    .route('/docs')
    .get((_req, res) => {
      res.type('html').send(page);
    })
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
