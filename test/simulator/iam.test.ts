// IAM POST /v3/auth/tokens: the token format, the body, and the error shapes a client must understand.
import { startSimulator, SANDBOX_IAM_USER, type Simulator } from '../../src/simulator/startSimulator';
import { drs, fakeClock, JOB_ID, passwordBody, precheckBody, PROJECT_ID, requestToken } from './simulatorClient';
import type { FakeClock } from '../support/fakeClock';

describe('simulated IAM token endpoint', () => {
  let sim: Simulator;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = fakeClock();
    sim = await startSimulator({ clock });
  });
  afterEach(() => sim.stop());

  it('issues a project-scoped token: 201, an MII… X-Subject-Token of a few KB, and a Keystone token body', async () => {
    const response = await requestToken(sim);
    expect(response.status).toBe(201);
    const token = response.headers.get('x-subject-token') ?? '';
    expect(token).toMatch(/^MII[A-Za-z0-9+=-]+$/);
    expect(token.length).toBeGreaterThan(2000);
    expect(token.startsWith('MIILuAYJKoZIhvcNAQcC')).toBe(true);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
    const body = (await response.json()) as { token: Record<string, unknown> };
    expect(body.token).toMatchObject({
      issued_at: '2020-01-03T09:05:22.701000Z',
      expires_at: '2020-01-04T09:05:22.701000Z',
      methods: ['password'],
      catalog: [],
      project: { id: PROJECT_ID, name: 'cn-north-4', domain: { name: SANDBOX_IAM_USER.domain } },
      user: { name: SANDBOX_IAM_USER.name, domain: { name: SANDBOX_IAM_USER.domain } },
    });
    expect(body.token.roles).toEqual([expect.objectContaining({ id: expect.any(String), name: expect.any(String) })]);
    expect(sim.issuedTokens()).toBe(1);
  });

  it('mints a different token on every issue', async () => {
    const first = (await requestToken(sim)).headers.get('x-subject-token');
    const second = (await requestToken(sim)).headers.get('x-subject-token');
    expect(first).not.toBe(second);
    expect(sim.issuedTokens()).toBe(2);
  });

  it('lists a catalog pointing at itself unless nocatalog is given', async () => {
    const body = (await (await requestToken(sim, passwordBody(), '')).json()) as { token: { catalog: Array<{ type: string; endpoints: Array<{ url: string }> }> } };
    expect(body.token.catalog.map((entry) => entry.type)).toEqual(['drs', 'identity']);
    expect(body.token.catalog[0]?.endpoints[0]?.url).toBe(sim.url);
  });

  it('derives a stable project ID when the scope names the project', async () => {
    const scoped = passwordBody(SANDBOX_IAM_USER, { project: { name: 'cn-north-4' } });
    const first = (await (await requestToken(sim, scoped)).json()) as { token: { project: { id: string; name: string } } };
    const second = (await (await requestToken(sim, scoped)).json()) as { token: { project: { id: string } } };
    expect(first.token.project.id).toMatch(/^[0-9a-f]{32}$/);
    expect(first.token.project.name).toBe('cn-north-4');
    expect(second.token.project.id).toBe(first.token.project.id);
  });

  it('uses tokenTtlMs and a one-off iamTokenTtlMs fault for expires_at', async () => {
    sim.faults.set({ iamTokenTtlMs: { ttlMs: 2000, times: 1 } });
    const short = (await (await requestToken(sim)).json()) as { token: { expires_at: string } };
    const normal = (await (await requestToken(sim)).json()) as { token: { expires_at: string } };
    expect(short.token.expires_at).toBe('2020-01-03T09:05:24.701000Z');
    expect(normal.token.expires_at).toBe('2020-01-04T09:05:22.701000Z');
  });

  it('issues already-expired tokens for a zero or negative iamTokenTtlMs, set directly or over HTTP', async () => {
    sim.faults.set({ iamTokenTtlMs: 0 });
    const atOnce = (await (await requestToken(sim)).json()) as { token: { expires_at: string; issued_at: string } };
    expect(atOnce.token.expires_at).toBe(atOnce.token.issued_at);
    expect((await fetch(`${sim.url}/__sim/faults`, { method: 'PUT', body: JSON.stringify({ iamTokenTtlMs: { ttlMs: -60_000, times: 1 } }) })).status).toBe(200);
    const past = (await (await requestToken(sim)).json()) as { token: { expires_at: string } };
    expect(past.token.expires_at).toBe('2020-01-03T09:04:22.701000Z');
  });

  it('accepts the configured users only', async () => {
    await sim.stop();
    sim = await startSimulator({ clock, users: [{ domain: 'acme', name: 'ops', password: 's3cret' }] });
    expect((await requestToken(sim, passwordBody({ domain: 'acme', name: 'ops', password: 's3cret' }))).status).toBe(201);
    expect((await requestToken(sim)).status).toBe(401);
  });

  it('setUserPassword rotates a user\'s password: the old one is refused, the new one works, issued tokens stay valid', async () => {
    const issued = (await requestToken(sim)).headers.get('x-subject-token') ?? '';
    sim.setUserPassword(SANDBOX_IAM_USER.domain, SANDBOX_IAM_USER.name, 'rotated-pa55word');
    expect((await requestToken(sim)).status).toBe(401);
    expect((await requestToken(sim, passwordBody({ ...SANDBOX_IAM_USER, password: 'rotated-pa55word' }))).status).toBe(201);
    expect((await drs(sim, 'batch-precheck', issued, precheckBody(JOB_ID))).status).toBe(200);
    expect(SANDBOX_IAM_USER.password).toBe('sandbox-password');
    expect(() => sim.setUserPassword('acme', 'nobody', 'x')).toThrow('acme/nobody');
  });

  describe('errors', () => {
    const wrongPassword = passwordBody({ ...SANDBOX_IAM_USER, password: 'nope' });

    it('answers a wrong password with 401 IAM.0062 in the flat shape by default', async () => {
      const response = await requestToken(sim, wrongPassword);
      expect(response.status).toBe(401);
      expect(response.headers.get('x-subject-token')).toBeNull();
      expect(await response.json()).toEqual({ error_msg: 'Incorrect password.', error_code: 'IAM.0062' });
    });

    it('answers in the nested shape when switched', async () => {
      sim.faults.set({ iamErrorShape: 'nested' });
      const response = await requestToken(sim, wrongPassword);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'IAM.0062', message: 'Incorrect password.' } });
    });

    it('answers in the Keystone shape when switched', async () => {
      sim.faults.set({ iamErrorShape: 'keystone' });
      const response = await requestToken(sim, wrongPassword);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { message: 'Incorrect password.', code: 401, title: 'Unauthorized' } });
    });

    it('treats an unknown user like a wrong password', async () => {
      const response = await requestToken(sim, passwordBody({ ...SANDBOX_IAM_USER, name: 'ghost' }));
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error_code: 'IAM.0062' });
    });

    it.each([
      ['not JSON', '{"auth":'],
      ['no identity', { auth: { scope: { project: { id: PROJECT_ID } } } }],
      ['no password method', { auth: { identity: { methods: ['token'] } } }],
      ['an empty project scope', passwordBody(SANDBOX_IAM_USER, { project: {} })],
    ])('answers 400 IAM.0011 for a body with %s', async (_name, body) => {
      const response = await requestToken(sim, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error_code: 'IAM.0011', error_msg: 'Request body is invalid.' });
    });
  });
});
