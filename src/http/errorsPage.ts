// GET /errors: the catalogue as a page, so every problem `type` URI leads somewhere useful.
import type { Router } from 'express';
import { renderCatalogueHtml } from '../errors/renderCatalogue';
import { staticRoute } from './staticRoute';

export const errorsPage = (): Router => staticRoute('/errors', 'html', renderCatalogueHtml());
