// GET /admin/ and its files: served without a token, never cached, under a CSP that names no source but the gateway; the API's own strict CSP.
import type { RunningGateway } from '../../src/server';
import { send } from '../support/http';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, signToken } from '../support/tokens';

/** Directive name → its values, as a browser reads the header. */
const directivesOf = (header: string | null): Map<string, string[]> =>
  new Map(
    (header ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name !== undefined && name !== '')
      .map(([name, ...values]) => [name!, values]),
  );

const CONSOLE_FILES = [
  ['/admin/', /^text\/html/],
  ['/admin/console.js', /^(text|application)\/javascript/],
  ['/admin/console.css', /^text\/css/],
  ['/admin/icon.svg', /^image\/svg\+xml/],
] as const;

describe('the admin console as the gateway serves it', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.stop());

  const get = (path: string, headers: Record<string, string> = {}) => send(gateway.url, path, { method: 'GET', headers });

  it.each(CONSOLE_FILES)('serves %s without a token, never cached, sniffing off', async (path, type) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(type);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.text.length).toBeGreaterThan(0);
  });

  it.each(CONSOLE_FILES)("gives %s a CSP whose every directive names only 'self' or 'none'", async (path) => {
    const directives = directivesOf((await get(path)).headers.get('content-security-policy'));
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'connect-src': ["'self'"],
      'img-src': ["'self'"],
      'require-trusted-types-for': ["'script'"],
      'trusted-types': ["'none'"],
    });
    const sources = [...directives].filter(([name]) => name !== 'require-trusted-types-for').flatMap(([, values]) => values);
    expect(sources.every((source) => source === "'self'" || source === "'none'")).toBe(true);
  });

  it('links only its own files, relatively, with no inline script, style or event handler', async () => {
    const html = (await get('/admin/')).text;
    const links = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(links.sort()).toEqual(['#main', 'console.css', 'console.js', 'icon.svg']);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    const css = (await get('/admin/console.css')).text;
    expect(css).not.toMatch(/url\(|@import/);
    const js = (await get('/admin/console.js')).text;
    expect(js).not.toMatch(/https?:\/\/|localStorage|document\.cookie/);
  });

  it('answers the page under one spelling only, and GET and HEAD only', async () => {
    for (const path of ['/admin', '/Admin/', '/admin/index.html', '/admin//']) expect((await get(path)).status).toBe(404);
    const post = await send(gateway.url, '/admin/', { method: 'POST', headers: { Authorization: bearer(signToken({ scope: 'gateway:admin' })) } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('gives every other answer (JSON, errors, the docs pages, metrics) a CSP that allows nothing at all', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/docs', '/errors', '/openapi.json', '/admin/config', '/admin/usage', '/nowhere']) {
      const directives = directivesOf((await get(path)).headers.get('content-security-policy'));
      expect([path, Object.fromEntries(directives)]).toEqual([
        path,
        { 'default-src': ["'none'"], 'base-uri': ["'none'"], 'form-action': ["'none'"], 'frame-ancestors': ["'none'"] },
      ]);
    }
  });
});
