// Scopes on every admin route, each operation of the OpenAPI document (gateway:admin:read reads and previews, gateway:admin does all, others 403), no-store on every answer, and exactly one audit line per call with its requestId.
import { DRS_ROUTE_TABLE } from '../../src/drs/drsRouteTable';
import { createLogger } from '../../src/logger';
import { buildOpenApiDocument } from '../../src/openapi/buildOpenApiDocument';
import { GATEWAY_VERSION } from '../../src/version';
import type { RunningGateway } from '../../src/server';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, PROJECT, signToken, TEST_SECRET } from '../support/tokens';

type Line = Record<string, unknown>;

const TOKENS = {
  'scope gateway:admin': signToken({ sub: 'ops-admin', scope: 'gateway:admin' }),
  'scope gateway:admin:read': signToken({ sub: 'ops-viewer', scope: 'gateway:admin:read' }),
  // The scp claim (an array) grants as the scope claim does.
  'scp [gateway:admin:read]': signToken({ sub: 'ops-viewer-scp', scope: undefined, scp: ['gateway:admin:read'] }),
  'scope drs:precheck only': signToken({ sub: 'app-1', scope: 'drs:precheck drs:precheck:bulk', projects: ['*'] }),
};
type Who = keyof typeof TOKENS | 'no token';
const SUBS: Record<Who, string | undefined> = {
  'scope gateway:admin': 'ops-admin',
  'scope gateway:admin:read': 'ops-viewer',
  'scp [gateway:admin:read]': 'ops-viewer-scp',
  'scope drs:precheck only': 'app-1',
  'no token': undefined,
};

interface Route {
  method: string;
  path: string;
  /** The path as the OpenAPI document names it. */
  operation: string;
  action: string;
  scope: 'gateway:admin:read' | 'gateway:admin';
  /** The status of an allowed call: 200 unless it answers nothing. */
  done?: number;
}

const SUB = encodeURIComponent('svc/a b@x');

const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/admin/config', operation: '/admin/config', action: 'config.read', scope: 'gateway:admin:read' },
  { method: 'HEAD', path: '/admin/config', operation: '/admin/config', action: 'config.read', scope: 'gateway:admin:read' },
  { method: 'POST', path: '/admin/config/reload?dry_run=true', operation: '/admin/config/reload', action: 'config.dry-run', scope: 'gateway:admin:read' },
  { method: 'POST', path: '/admin/config/reload', operation: '/admin/config/reload', action: 'config.reload', scope: 'gateway:admin' },
  { method: 'POST', path: '/admin/config/reload?dry_run=false', operation: '/admin/config/reload', action: 'config.reload', scope: 'gateway:admin' },
  { method: 'POST', path: '/admin/iam-tokens/invalidate', operation: '/admin/iam-tokens/invalidate', action: 'iam-tokens.invalidate', scope: 'gateway:admin' },
  { method: 'GET', path: `/admin/callers/${SUB}/usage`, operation: '/admin/callers/{sub}/usage', action: 'caller-usage.read', scope: 'gateway:admin:read' },
  { method: 'DELETE', path: `/admin/callers/${SUB}/usage`, operation: '/admin/callers/{sub}/usage', action: 'caller-usage.reset', scope: 'gateway:admin', done: 204 },
  { method: 'GET', path: `/admin/projects/${PROJECT}/budget`, operation: '/admin/projects/{project_id}/budget', action: 'project-budget.read', scope: 'gateway:admin:read' },
  { method: 'DELETE', path: `/admin/projects/${PROJECT}/budget`, operation: '/admin/projects/{project_id}/budget', action: 'project-budget.reset', scope: 'gateway:admin', done: 204 },
  { method: 'GET', path: '/admin/usage?top=5', operation: '/admin/usage', action: 'top-callers.read', scope: 'gateway:admin:read' },
  { method: 'GET', path: '/admin/events?limit=5', operation: '/admin/events', action: 'events.read', scope: 'gateway:admin:read' },
];

const expectedStatus = (route: Route, who: Who): number => {
  const done = route.done ?? 200;
  if (who === 'no token') return 401;
  if (who === 'scope gateway:admin') return done;
  return who !== 'scope drs:precheck only' && route.scope === 'gateway:admin:read' ? done : 403;
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

describe('admin scopes, no-store and audit lines', () => {
  const { sink, lines } = logLines();
  let gateway: RunningGateway;
  let sequence = 0;

  beforeAll(async () => {
    gateway = await startTestGateway({ LOG_LEVEL: 'info' }, { logger: createLogger('info', sink) });
  });
  afterAll(() => gateway.stop());

  const auditLinesOf = (requestId: string): Line[] => lines.map((l) => JSON.parse(l) as Line).filter((l) => l.audit !== undefined && l.requestId === requestId);

  const call = async (route: Pick<Route, 'method' | 'path'>, who: Who) => {
    sequence += 1;
    const requestId = `admin-scope-${sequence}`;
    const headers: Record<string, string> = { 'X-Request-Id': requestId, ...(who === 'no token' ? {} : { Authorization: bearer(TOKENS[who]) }) };
    const res = await send(gateway.url, route.path, { method: route.method, headers });
    return { res, requestId };
  };

  it('covers every admin operation the OpenAPI document lists', () => {
    const { paths } = buildOpenApiDocument(GATEWAY_VERSION, DRS_ROUTE_TABLE) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(paths)
      .filter(([path]) => path.startsWith('/admin'))
      .flatMap(([path, item]) => Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.length).toBeGreaterThanOrEqual(9);
    const covered = new Set(ROUTES.map((route) => `${route.method} ${route.operation}`));
    expect(documented.filter((operation) => !covered.has(operation))).toEqual([]);
  });

  describe.each(ROUTES)('$method $path (scope $scope)', (route) => {
    it.each([...Object.keys(TOKENS), 'no token'] as Who[])('answers a call with %s as the scope allows, no-store, with one audit line naming the call', async (who) => {
      const { res, requestId } = await call(route, who);
      const status = expectedStatus(route, who);
      expect(res.status).toBe(status);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-request-id')).toBe(requestId);
      if (status === 403 && route.method !== 'HEAD') {
        expect(res.json().error_code).toBe('GW.1004');
        expect(res.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="${route.scope}"`);
      }
      const code = status < 400 ? undefined : status === 401 ? 'GW.1001' : 'GW.1004';
      const audit = auditLinesOf(requestId);
      expect(audit).toEqual([
        expect.objectContaining({ audit: 'admin', action: route.action, outcome: status < 400 ? 'success' : 'failure', status, requestId, version: gateway.config.current().version.hash }),
      ]);
      expect(audit[0]?.caller).toBe(SUBS[who]);
      expect(audit[0]?.code).toBe(code);
    });
  });

  it('refuses a reload query it does not know (400 to an admin reader), reloading nothing, with its audit line', async () => {
    const reloadsBefore = gateway.config.lastReload();
    for (const [path, who] of [
      ['/admin/config/reload?dry_run=1', 'scope gateway:admin:read'],
      ['/admin/config/reload?dryrun=true', 'scope gateway:admin'],
      ['/admin/config/reload?dry_run=true&dry_run=true', 'scope gateway:admin'],
    ] as const) {
      const { res, requestId } = await call({ method: 'POST', path }, who);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ error_code: 'GW.0400', errors: [{ parameter: 'dry_run' }] });
      expect(auditLinesOf(requestId)).toEqual([expect.objectContaining({ action: 'config.reload', outcome: 'failure', status: 400, code: 'GW.0400', caller: SUBS[who] })]);
    }
    expect(gateway.config.lastReload()).toBe(reloadsBefore);
  });

  it('writes a line for a call that fails after admission, with the code the answer carries', async () => {
    const { res, requestId } = await call({ method: 'POST', path: '/admin/iam-tokens/invalidate' }, 'scope gateway:admin');
    expect(res.status).toBe(200);
    sequence += 1;
    const badBody = await send(gateway.url, '/admin/iam-tokens/invalidate', { headers: { Authorization: bearer(TOKENS['scope gateway:admin']), 'X-Request-Id': `admin-scope-${sequence}` }, raw: '{"project_id":' });
    expect(badBody.status).toBe(400);
    expect(auditLinesOf(`admin-scope-${sequence}`)).toEqual([expect.objectContaining({ action: 'iam-tokens.invalidate', outcome: 'failure', status: 400, code: 'GW.0401', caller: 'ops-admin' })]);
    expect(auditLinesOf(requestId)).toEqual([expect.objectContaining({ outcome: 'success', scope: 'all' })]);
  });

  it('never logs a token or the signing secret', () => {
    expect(lines.length).toBeGreaterThan(30);
    for (const line of lines) for (const secret of [TEST_SECRET, ...Object.values(TOKENS)]) expect(line).not.toContain(secret);
  });
});
