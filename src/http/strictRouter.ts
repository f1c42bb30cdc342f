// Apps and routers that match one spelling per path (case-sensitive, trailing slash significant).
import express, { Router, type Express } from 'express';

/**
 * An ingress rule such as "block /admin" is a case-sensitive prefix match; a router that also answered /ADMIN/config or
 * /admin/config/ would let those spellings past it. Express applies the app's routing settings to its own router only.
 */
export const STRICT_ROUTING = { caseSensitive: true, strict: true } as const;

export const strictRouter = (): Router => Router(STRICT_ROUTING);

/** Settings are applied before any route, since Express builds the app's router on first use. */
export const strictApp = (): Express => {
  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', STRICT_ROUTING.caseSensitive);
  app.set('strict routing', STRICT_ROUTING.strict);
  return app;
};
