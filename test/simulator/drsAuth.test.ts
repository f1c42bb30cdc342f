// What APIG and DRS answer for a missing, unknown, expired, revoked or foreign-project token.
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { drs, fakeClock, issueToken, JOB_ID, OTHER_PROJECT_ID, precheckBody } from './simulatorClient';
import type { FakeClock } from '../support/fakeClock';

describe('simulated DRS authentication', () => {
  let sim: Simulator;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = fakeClock();
    sim = await startSimulator({ clock, tokenTtlMs: 60_000 });
  });
  afterEach(() => sim.stop());

  const expectApig = async (response: Response, status: number, code: string, message: string): Promise<void> => {
    expect(response.status).toBe(status);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(await response.json()).toEqual({ error_code: code, error_msg: message, request_id: requestId });
  };

  it('accepts a valid token for its own project', async () => {
    const response = await drs(sim, 'batch-precheck', await issueToken(sim), precheckBody(JOB_ID));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('answers 401 APIG.0301 "x-auth-token not found" without a token', async () => {
    const response = await drs(sim, 'batch-precheck', undefined, precheckBody(JOB_ID));
    await expectApig(response, 401, 'APIG.0301', 'Incorrect IAM authentication information: x-auth-token not found');
  });

  it('answers 401 APIG.0301 "decrypt token fail" for a token it never issued', async () => {
    const response = await drs(sim, 'batch-precheck', 'MIIforged', precheckBody(JOB_ID));
    await expectApig(response, 401, 'APIG.0301', 'Incorrect IAM authentication information: decrypt token fail');
  });

  it('answers 401 APIG.0307 once the clock passes the token expiry', async () => {
    const token = await issueToken(sim);
    clock.advance(59_999);
    expect((await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID))).status).toBe(200);
    clock.advance(1);
    await expectApig(await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID)), 401, 'APIG.0307', 'The token must be updated.');
  });

  it('answers 401 APIG.0307 for revoked tokens while new ones work', async () => {
    const old = await issueToken(sim);
    expect(sim.revokeTokens()).toBe(1);
    await expectApig(await drs(sim, 'batch-precheck-result', old, { jobs: [JOB_ID] }), 401, 'APIG.0307', 'The token must be updated.');
    const fresh = await issueToken(sim);
    expect((await drs(sim, 'batch-precheck-result', fresh, { jobs: [JOB_ID] })).status).toBe(200);
  });

  it('answers 403 DRS.M00261 when the token is scoped to another project', async () => {
    const token = await issueToken(sim, OTHER_PROJECT_ID);
    const response = await drs(sim, 'batch-precheck', token, precheckBody(JOB_ID));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error_code: 'DRS.M00261', error_msg: 'Invalid project ID.' });
  });

  it('checks the token before the body', async () => {
    const response = await drs(sim, 'batch-precheck', undefined, '{not json');
    expect(response.status).toBe(401);
  });

  it('answers APIG 404 for unknown paths and wrong methods', async () => {
    const unknown = await fetch(`${sim.url}/v3/${OTHER_PROJECT_ID}/jobs/nope`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error_code: 'APIG.0101' });
    const wrongMethod = await fetch(`${sim.url}/v3/${OTHER_PROJECT_ID}/jobs/batch-precheck`);
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });
});
