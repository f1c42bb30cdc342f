import jwt from 'jsonwebtoken';
import type { Simulator } from '../../src/simulator/startSimulator';
import { PRECHECK } from '../support/drsPaths';
import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, OTHER_PROJECT, signToken, TEST_SECRET } from '../support/tokens';

const body = { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] };
const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('inbound authentication and authorization over HTTP', () => {
  let gateway: TestGateway;
  let simulator: Simulator;

  beforeAll(async () => {
    gateway = await startTestGateway({ JWT_ISSUER: 'https://idp.example.com', JWT_AUDIENCE: 'drs-gateway', RATE_LIMIT_MAX: '1000' });
    simulator = gateway.simulator as Simulator;
  });
  afterAll(async () => {
    expect(simulator.stats.iamTokenRequests).toBe(0);
    expect(simulator.stats.drsRequests).toBe(0);
    await gateway.stop();
  });

  const valid = (claims = {}, options: jwt.SignOptions = {}) => signToken(claims, { issuer: 'https://idp.example.com', audience: 'drs-gateway', ...options });

  const refused = async (authorization: string | undefined, status: number, code: string) => {
    const res = await send(gateway.url, PRECHECK, { headers: authorization === undefined ? {} : { Authorization: authorization }, body });
    expect({ status: res.status, code: res.json().error_code }).toEqual({ status, code });
    if (authorization) expect(res.text).not.toContain(authorization.replace(/^Bearer /, ''));
    return res;
  };

  it('401 GW.1001 with WWW-Authenticate when there is no bearer token', async () => {
    const res = await refused(undefined, 401, 'GW.1001');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await refused('Basic dXNlcjpwYXNz', 401, 'GW.1001');
  });

  it('401 GW.1002 for a bad signature', async () => {
    await refused(bearer(signToken({}, { issuer: 'https://idp.example.com', audience: 'drs-gateway' }, 'another-secret-another-secret-0123456789')), 401, 'GW.1002');
  });

  it('401 GW.1002 for alg none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', scope: 'drs:precheck', projects: ['*'], exp: now() + 60, iss: 'https://idp.example.com', aud: 'drs-gateway' })}.`;
    await refused(`Bearer ${unsigned}`, 401, 'GW.1002');
  });

  it('401 GW.1002 for an algorithm outside the allow-list', async () => {
    await refused(bearer(valid({}, { algorithm: 'HS512' })), 401, 'GW.1002');
  });

  it('401 GW.1003 for an expired token, beyond the clock tolerance', async () => {
    const expired = jwt.sign({ sub: 'x', scope: 'drs:precheck', projects: ['*'], exp: now() - 120, iss: 'https://idp.example.com', aud: 'drs-gateway' }, TEST_SECRET);
    await refused(bearer(expired), 401, 'GW.1003');
  });

  it('401 GW.1002 for a token without exp, a future nbf, or a crit header', async () => {
    const noExp = jwt.sign({ sub: 'x', scope: 'drs:precheck', projects: ['*'], iss: 'https://idp.example.com', aud: 'drs-gateway' }, TEST_SECRET);
    await refused(bearer(noExp), 401, 'GW.1002');
    await refused(bearer(valid({}, { notBefore: 600 })), 401, 'GW.1002');
    await refused(bearer(valid({}, { header: { alg: 'HS256', crit: ['exp'] } as jwt.JwtHeader })), 401, 'GW.1002');
  });

  it('401 GW.1002 for the wrong issuer or audience', async () => {
    await refused(bearer(valid({}, { issuer: 'https://evil.example.com' })), 401, 'GW.1002');
    await refused(bearer(valid({}, { audience: 'another-api' })), 401, 'GW.1002');
  });

  it('403 GW.1004 when the drs:precheck scope is missing', async () => {
    await refused(bearer(valid({ scope: 'gateway:admin' })), 403, 'GW.1004');
    await refused(bearer(valid({ scope: undefined, scp: ['other'] })), 403, 'GW.1004');
  });

  it('403 GW.1005 for a project outside the projects claim, before any IAM or DRS call', async () => {
    await refused(bearer(valid({ projects: [OTHER_PROJECT] })), 403, 'GW.1005');
    await refused(bearer(valid({ projects: undefined })), 403, 'GW.1005');
  });

  it('accepts scopes from scp and projects "*"', async () => {
    simulator.faults.set({ drs: { kind: 'status', status: 400, body: { error_code: 'DRS.M05003', error_msg: 'Task information not found.' }, times: 1 } });
    const res = await send(gateway.url, PRECHECK, { headers: { Authorization: bearer(valid({ scope: undefined, scp: ['drs:precheck'], projects: ['*'] })) }, body });
    // The request got past authentication: the simulator's canned answer came back.
    expect(res.json().error_code).toBe('DRS.M05003');
    simulator.resetStats();
  });
});
