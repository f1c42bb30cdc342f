// Scopes on every admin route (gateway:admin:read reads and previews, gateway:admin does all, others 403), no-store on every answer, and exactly one audit line per call with its requestId.
import { createLogger } from '../../src/logger';
import type { RunningGateway } from '../../src/server';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, signToken, TEST_SECRET } from '../support/tokens';

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
  action: string;
  scope: 'gateway:admin:read' | 'gateway:admin';
}

const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/admin/config', action: 'config.read', scope: 'gateway:admin:read' },
  { method: 'HEAD', path: '/admin/config', action: 'config.read', scope: 'gateway:admin:read' },
  { method: 'POST', path: '/admin/config/reload?dry_run=true', action: 'config.dry-run', scope: 'gateway:admin:read' },
  { method: 'POST', path: '/admin/config/reload', action: 'config.reload', scope: 'gateway:admin' },
  { method: 'POST', path: '/admin/config/reload?dry_run=false', action: 'config.reload', scope: 'gateway:admin' },
  { method: 'POST', path: '/admin/iam-tokens/invalidate', action: 'iam-tokens.invalidate', scope: 'gateway:admin' },
];

const expectedStatus = (route: Route, who: Who): number => {
  if (who === 'no token') return 401;
  if (who === 'scope gateway:admin') return 200;
  return who !== 'scope drs:precheck only' && route.scope === 'gateway:admin:read' ? 200 : 403;
};

describe('admin scopes, no-store and audit lines', () => {
  const { sink, lines } = logLines();
  let gateway: RunningGateway;
  let sequence = 0;

  beforeAll(async () => {
    gateway = await startTestGateway({ LOG_LEVEL: 'info' }, { logger: createLogger('info', sink) });
  });
  afterAll(() => gateway.stop());

  const auditLinesOf = (requestId: string): Line[] => lines.map((l) => JSON.parse(l) as Line).filter((l) => l.audit !== undefined && l.requestId === requestId);

  const call = async (route: Route, who: Who) => {
    sequence += 1;
    const requestId = `admin-scope-${sequence}`;
    const headers: Record<string, string> = { 'X-Request-Id': requestId, ...(who === 'no token' ? {} : { Authorization: bearer(TOKENS[who]) }) };
    const res = await send(gateway.url, route.path, { method: route.method, headers });
    return { res, requestId };
  };

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
      const code = status === 200 ? undefined : status === 401 ? 'GW.1001' : 'GW.1004';
      const audit = auditLinesOf(requestId);
      expect(audit).toEqual([
        expect.objectContaining({ audit: 'admin', action: route.action, outcome: status === 200 ? 'success' : 'failure', status, requestId, version: gateway.config.current().version.hash }),
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
      const { res, requestId } = await call({ method: 'POST', path, action: 'config.reload', scope: 'gateway:admin:read' }, who);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ error_code: 'GW.0400', errors: [{ parameter: 'dry_run' }] });
      expect(auditLinesOf(requestId)).toEqual([expect.objectContaining({ action: 'config.reload', outcome: 'failure', status: 400, code: 'GW.0400', caller: SUBS[who] })]);
    }
    expect(gateway.config.lastReload()).toBe(reloadsBefore);
  });

  it('writes a line for a call that fails after admission, with the code the answer carries', async () => {
    const { res, requestId } = await call({ method: 'POST', path: '/admin/iam-tokens/invalidate', action: 'iam-tokens.invalidate', scope: 'gateway:admin' }, 'scope gateway:admin');
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
