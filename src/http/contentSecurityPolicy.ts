// Content-Security-Policy: nothing at all for the API and its script-free pages, the gateway's own files only for the admin console.
import helmet from 'helmet';

/**
 * JSON, Prometheus text, and /docs and /errors (markup without script, style or image) need no source; helmet's
 * default would allow styles and fonts from any https: origin and inline styles on every answer.
 */
const NOTHING = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * The console's page, script, style and icon come from the gateway and it calls the gateway only. form-action stays
 * 'none': its forms are handled by the script, so a form the browser would submit itself (script not loaded) is
 * blocked instead of putting the token in a URL. Trusted Types make any markup sink (innerHTML and the like) throw:
 * the script writes text only.
 */
const CONSOLE = {
  ...NOTHING,
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  connectSrc: ["'self'"],
  imgSrc: ["'self'"],
  requireTrustedTypesFor: ["'script'"],
  trustedTypes: ["'none'"],
};

/** helmet's `contentSecurityPolicy` option for every answer; the console's routes replace the header with theirs. */
export const API_CSP = { useDefaults: false, directives: NOTHING };

export const consoleContentSecurityPolicy = () => helmet.contentSecurityPolicy({ useDefaults: false, directives: CONSOLE });
