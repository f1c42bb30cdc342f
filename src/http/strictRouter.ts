// Routers that match one spelling per path (case-sensitive, trailing slash significant), as the app's own router does.
import { Router } from 'express';

/**
 * An ingress rule such as "block /admin" is a case-sensitive prefix match; a router that also answered /ADMIN/config or
 * /admin/config/ would let those spellings past it. Express applies the app's routing settings to its own router only.
 */
export const STRICT_ROUTING = { caseSensitive: true, strict: true } as const;

export const strictRouter = (): Router => Router(STRICT_ROUTING);
