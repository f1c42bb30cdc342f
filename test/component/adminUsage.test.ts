// The admin usage routes on one gateway without Redis: a caller's usage and reset, a project's budget and reset, top callers, recent events, scopes and audit.
import type { RunningGateway } from '../../src/server';
import type { CallerUsage } from '../support/callerUsage';
import { send, type Received } from '../support/http';
import { startTestGateway, TEST_TOKEN_CACHE_KEY } from '../support/startTestGateway';
import { clearOfWindowEdge } from '../support/windowEdge';
import { bearer, JOB, JOB_2, OTHER_PROJECT, PROJECT, signToken, TEST_SECRET } from '../support/tokens';

const SUB = 'svc/a b@x';
const ENCODED = encodeURIComponent(SUB);
const adminToken = signToken({ sub: 'ops-admin', scope: 'gateway:admin' });
const readerToken = signToken({ sub: 'ops-reader', scope: 'gateway:admin:read' });
const callerToken = signToken({ sub: SUB, projects: ['*'] });
const admin = bearer(adminToken);
const reader = bearer(readerToken);
const caller = bearer(callerToken);
const start = (jobs: string[]) => ({ jobs: jobs.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' })) });

interface AuditEvent {
  audit: string;
  action: string;
  outcome: string;
  caller?: string;
  requestId: string;
  version: string;
  status?: number;
  code?: string;
}

describe('admin usage routes without Redis', () => {
  let gateway: RunningGateway;
  const answers: Received[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway(
      { IAM_PASSWORD: 'sandbox-password', TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, RATE_LIMIT_MAX: '5', PROJECT_JOB_BUDGET: '5' },
      {},
      JSON.stringify({ projects: { [PROJECT]: {} } }),
    );
  });
  afterAll(() => gateway.stop());

  const adminCall = async (path: string, token = admin, method = 'GET'): Promise<Received> => {
    const res = await send(gateway.url, path, { method, headers: { Authorization: token } });
    answers.push(res);
    return res;
  };
  const precheck = (jobs: string[]) => send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: caller }, body: start(jobs) });
  /** Free of the job budget, so only the caller's limit refuses it. */
  const readResults = () => send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: caller }, body: { jobs: [JOB] } });
  const events = async (limit = 500): Promise<AuditEvent[]> => (await adminCall(`/admin/events?limit=${limit}`)).json<{ events: AuditEvent[] }>().events;

  it("shows a caller's usage by its URL-encoded sub, and a reset gives the whole limit back", async () => {
    for (let i = 0; i < 5; i += 1) expect((await readResults()).status).toBe(200);
    const limited = await readResults();
    expect({ status: limited.status, code: limited.json().error_code }).toEqual({ status: 429, code: 'GW.2001' });

    const res = await adminCall(`/admin/callers/${ENCODED}/usage`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const usage = res.json<CallerUsage>();
    expect(usage).toMatchObject({ sub: SUB, tier: 'caller', openStreams: 0, limits: [{ name: 'caller', limit: 5, windowMs: 60_000, remaining: 0 }] });
    expect(usage.limits[0]?.resetMs).toBeGreaterThan(0);
    expect(usage.limits[0]?.resetMs).toBeLessThanOrEqual(60_000);

    const reset = await adminCall(`/admin/callers/${ENCODED}/usage`, admin, 'DELETE');
    expect(reset.status).toBe(204);
    expect(reset.text).toBe('');
    expect((await adminCall(`/admin/callers/${ENCODED}/usage`)).json<CallerUsage>()).toEqual({ sub: SUB, tier: null, limits: [], openStreams: 0 });
    expect((await readResults()).status).toBe(200);
    expect((await adminCall(`/admin/callers/${ENCODED}/usage`)).json<CallerUsage>().limits[0]?.remaining).toBe(4);
  });

  it("shows a project's job budget, 404 for a project it does not serve, and a reset gives the whole budget back", async () => {
    const before = (await adminCall(`/admin/projects/${PROJECT}/budget`)).json<{ remaining: number }>().remaining;
    expect((await precheck([JOB, JOB_2])).status).toBe(200);
    const res = await adminCall(`/admin/projects/${PROJECT}/budget`);
    expect(res.status).toBe(200);
    const budget = res.json<{ project_id: string; limit: number; remaining: number; resetMs: number }>();
    expect(budget).toMatchObject({ project_id: PROJECT, limit: 5, remaining: before - 2 });
    expect(budget.resetMs).toBeGreaterThan(0);

    const unserved = await adminCall(`/admin/projects/${OTHER_PROJECT}/budget`);
    expect(unserved.status).toBe(404);
    expect(unserved.json()).toMatchObject({ error_code: 'GW.0404', detail: 'The gateway does not serve this project.' });
    expect((await adminCall(`/admin/projects/${OTHER_PROJECT}/budget`, admin, 'DELETE')).status).toBe(404);

    expect((await adminCall(`/admin/projects/${PROJECT}/budget`, admin, 'DELETE')).status).toBe(204);
    expect((await adminCall(`/admin/projects/${PROJECT}/budget`)).json()).toEqual({ project_id: PROJECT, limit: 5, remaining: 5, resetMs: 0 });
  });

  it('lists the top callers of the current window, most requests first, as many as asked', async () => {
    await clearOfWindowEdge(60_000);
    const busy = bearer(signToken({ sub: 'busy-app', projects: ['*'] }));
    const quiet = bearer(signToken({ sub: 'quiet-app', projects: ['*'] }));
    for (const token of [busy, busy, busy, quiet]) {
      expect((await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: token }, body: { jobs: [JOB] } })).status).toBe(200);
    }
    const res = await adminCall('/admin/usage');
    expect(res.status).toBe(200);
    const top = res.json<{ windowMs: number; callers: Array<{ sub: string; tier: string; requests: number }> }>();
    expect(top.windowMs).toBe(60_000);
    const rank = (sub: string) => top.callers.findIndex((c) => c.sub === sub);
    expect(top.callers[rank('busy-app')]).toEqual({ sub: 'busy-app', tier: 'caller', requests: 3 });
    expect(top.callers[rank('quiet-app')]).toEqual({ sub: 'quiet-app', tier: 'caller', requests: 1 });
    expect(rank('busy-app')).toBeLessThan(rank('quiet-app'));
    expect(top.callers.map((c) => c.requests)).toEqual([...top.callers.map((c) => c.requests)].sort((a, b) => b - a));
    expect((await adminCall('/admin/usage?top=1')).json<{ callers: unknown[] }>().callers).toHaveLength(1);
  });

  it('refuses a bad count, a repeated one or a sub that is not percent-encoded UTF-8 with 400 GW.0400 naming the parameter', async () => {
    for (const [path, parameter] of [
      ['/admin/usage?top=0', 'top'],
      ['/admin/usage?top=101', 'top'],
      ['/admin/usage?top=ten', 'top'],
      ['/admin/usage?top=', 'top'],
      ['/admin/usage?top=1.5', 'top'],
      ['/admin/usage?top=1&top=2', 'top'],
      ['/admin/events?limit=0', 'limit'],
      ['/admin/events?limit=501', 'limit'],
      ['/admin/events?limit=-1', 'limit'],
      ['/admin/callers/%E0%A4%A/usage', 'sub'],
      ['/admin/callers/%20%20/usage', 'sub'],
      ['/admin/projects/not-a-project/budget', 'project_id'],
      ['/admin/projects/%FF/budget', 'project_id'],
    ]) {
      const res = await adminCall(path as string);
      expect({ path, status: res.status, code: res.json().error_code, errors: res.json().errors }).toEqual({
        path,
        status: 400,
        code: 'GW.0400',
        errors: [expect.objectContaining({ parameter }) as unknown],
      });
    }
    expect((await adminCall('/admin/callers/%E0%A4%A/usage', admin, 'DELETE')).status).toBe(400);
    const wrongMethod = await adminCall('/admin/callers/%E0%A4%A/usage', admin, 'POST');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD, DELETE');
    expect((await adminCall('/admin/usage', admin, 'DELETE')).headers.get('allow')).toBe('GET, HEAD');
  });

  it('lets gateway:admin:read read but not reset, gateway:admin do both, and refuses any other token', async () => {
    const reads = [`/admin/callers/${ENCODED}/usage`, `/admin/projects/${PROJECT}/budget`, '/admin/usage', '/admin/events'];
    const resets = [`/admin/callers/${ENCODED}/usage`, `/admin/projects/${PROJECT}/budget`];
    for (const path of reads) {
      expect({ path, status: (await adminCall(path, reader)).status }).toEqual({ path, status: 200 });
      expect({ path, status: (await adminCall(path, admin)).status }).toEqual({ path, status: 200 });
      const refused = await adminCall(path, caller);
      expect({ path, status: refused.status, code: refused.json().error_code }).toEqual({ path, status: 403, code: 'GW.1004' });
      expect({ path, status: (await adminCall(path, '')).status }).toEqual({ path, status: 401 });
    }
    for (const path of resets) {
      const refused = await adminCall(path, reader, 'DELETE');
      expect({ path, status: refused.status, code: refused.json().error_code }).toEqual({ path, status: 403, code: 'GW.1004' });
      expect(refused.headers.get('www-authenticate')).toContain('scope="gateway:admin"');
      expect({ path, status: (await adminCall(path, caller, 'DELETE')).status }).toEqual({ path, status: 403 });
      expect({ path, status: (await adminCall(path, admin, 'DELETE')).status }).toEqual({ path, status: 204 });
    }
  });

  it('writes one audit line per call, refusals included, with its request id and the running version, and shows them newest first', async () => {
    const version = gateway.config.current().version.hash;
    const refused = await send(gateway.url, '/admin/usage', { method: 'GET', headers: { Authorization: reader.replace('Bearer ', 'Bearer x'), 'X-Request-Id': 'bad-token-call' } });
    expect(refused.status).toBe(401);
    const forbidden = await send(gateway.url, `/admin/callers/${ENCODED}/usage`, { method: 'DELETE', headers: { Authorization: reader, 'X-Request-Id': 'read-only-reset' } });
    expect(forbidden.status).toBe(403);
    const read = await send(gateway.url, `/admin/callers/${ENCODED}/usage`, { method: 'GET', headers: { Authorization: reader, 'X-Request-Id': 'usage-read' } });
    expect(read.status).toBe(200);

    // This read's own line is written once it has answered.
    const lines = await events();
    expect(lines[0]).toMatchObject({ audit: 'admin', action: 'caller-usage.read', requestId: 'usage-read' });
    expect((await events())[0]).toMatchObject({ action: 'events.read', caller: 'ops-admin' });
    const byId = (id: string) => lines.filter((line) => line.requestId === id);
    expect(byId('usage-read')).toEqual([expect.objectContaining({ audit: 'admin', action: 'caller-usage.read', outcome: 'success', caller: 'ops-reader', sub: SUB, version })]);
    expect(byId('read-only-reset')).toEqual([
      expect.objectContaining({ action: 'caller-usage.reset', outcome: 'failure', caller: 'ops-reader', sub: SUB, status: 403, code: 'GW.1004', version }),
    ]);
    const [anonymous] = byId('bad-token-call');
    expect(anonymous).toMatchObject({ action: 'top-callers.read', outcome: 'failure', status: 401, code: 'GW.1002' });
    expect(anonymous?.caller).toBeUndefined();
    expect(lines.findIndex((line) => line.requestId === 'usage-read')).toBeLessThan(lines.findIndex((line) => line.requestId === 'read-only-reset'));
    expect(lines.some((line) => line.audit === 'precheck' && line.caller === SUB)).toBe(true);
    expect(await events(2)).toHaveLength(2);
  });

  it('never answers a secret', () => {
    expect(answers.length).toBeGreaterThan(50);
    for (const res of answers) {
      for (const secret of [adminToken, readerToken, callerToken, TEST_SECRET, TEST_TOKEN_CACHE_KEY, 'sandbox-password']) expect(res.text).not.toContain(secret);
    }
  });
});
