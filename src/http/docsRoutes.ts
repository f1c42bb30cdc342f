// GET /openapi.json and GET /docs, both rendered once at start-up from the same document.
import type { Router } from 'express';
import type { DrsRouteTable } from '../drs/drsRouteTable';
import { strictRouter } from './strictRouter';
import { buildOpenApiDocument } from '../openapi/buildOpenApiDocument';
import { renderDocsPage } from '../openapi/renderDocsPage';
import { GATEWAY_VERSION } from '../version';
import { staticRoute } from './staticRoute';

export const docsRoutes = (drsRoutes: DrsRouteTable): Router => {
  const document = buildOpenApiDocument(GATEWAY_VERSION, drsRoutes);
  return strictRouter().use(staticRoute('/openapi.json', 'application/json', JSON.stringify(document)), staticRoute('/docs', 'html', renderDocsPage(document)));
};
