// GET /admin/ (the admin console) and its script, style and icon: files of adminConsole/, read once at start-up, served without a token under the console's own CSP.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Router } from 'express';
import { consoleContentSecurityPolicy } from './contentSecurityPolicy';
import { staticRoute } from './staticRoute';
import { strictRouter } from './strictRouter';

/** Beside this module in src/ and in dist/ alike: the build copies the folder. */
const ASSETS = join(__dirname, 'adminConsole');

/**
 * The page holds no data and no secret: what it shows, it fetches with the token the user gives it, so loading it
 * needs none. Only `/admin/` serves it (one spelling per route); its files are named relative to it.
 */
export const adminConsoleRoutes = (): Router => {
  const csp = consoleContentSecurityPolicy();
  const asset = (name: string) => readFileSync(join(ASSETS, name), 'utf8');
  return strictRouter().use(
    staticRoute('/admin/', 'html', asset('index.html'), csp),
    staticRoute('/admin/console.js', 'js', asset('console.js'), csp),
    staticRoute('/admin/console.css', 'css', asset('console.css'), csp),
    // Its own icon, so the browser does not ask for /favicon.ico (a 404 the page would log).
    staticRoute('/admin/icon.svg', 'svg', asset('icon.svg'), csp),
  );
};
