// Test helpers: a settable clock and thin fetch wrappers for the simulator's IAM and DRS routes.
import { FakeClock } from '../support/fakeClock';
import { SANDBOX_IAM_USER, type Simulator } from '../../src/simulator/startSimulator';

export const PROJECT_ID = '054ba152d480d55b2f5dc0069e7ddef0';
export const OTHER_PROJECT_ID = 'a4a5d4098fb4474fa22cd05f897d6b99';
export const JOB_ID = '140b5236-88ad-43c8-811c-1268453jb101';

/** The issued_at of Huawei's documented token example, so simulator times read like the docs. */
export const fakeClock = (): FakeClock => new FakeClock(Date.UTC(2020, 0, 3, 9, 5, 22, 701));

export const passwordBody = (
  user: { domain: string; name: string; password: string } = SANDBOX_IAM_USER,
  scope: object = { project: { id: PROJECT_ID } },
): object => ({
  auth: {
    identity: { methods: ['password'], password: { user: { domain: { name: user.domain }, name: user.name, password: user.password } } },
    scope,
  },
});

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });

export const requestToken = (sim: Simulator, body: unknown = passwordBody(), query = '?nocatalog=true'): Promise<Response> =>
  postJson(`${sim.url}/v3/auth/tokens${query}`, body);

export const issueToken = async (sim: Simulator, projectId = PROJECT_ID): Promise<string> => {
  const response = await requestToken(sim, passwordBody(SANDBOX_IAM_USER, { project: { id: projectId } }));
  const token = response.headers.get('x-subject-token');
  if (response.status !== 201 || token === null) throw new Error(`token request failed with ${response.status}`);
  return token;
};

export type DrsRouteName = 'batch-precheck' | 'batch-precheck-result';

export const drs = (
  sim: Simulator,
  route: DrsRouteName,
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
  projectId = PROJECT_ID,
): Promise<Response> =>
  postJson(`${sim.url}/v3/${projectId}/jobs/${route}`, body, token === undefined ? headers : { 'X-Auth-Token': token, ...headers });

export const precheckBody = (...jobIds: string[]): object => ({
  jobs: jobIds.map((job_id) => ({ job_id, precheck_mode: 'forStartJob' })),
});

/** Job IDs in DRS's shape, distinct per index. */
export const jobId = (index: number): string => `140b5236-88ad-43c8-811c-${String(index).padStart(7, '0')}jb101`;
