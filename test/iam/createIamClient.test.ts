import { createIamClient } from '../../src/iam/createIamClient';
import type { HttpClient, HttpResponse } from '../../src/outbound/createHttpClient';
import { FakeClock } from '../support/fakeClock';

const TOKEN_VALUE = `MII${'A'.repeat(64)}`;

/** An IAM that answers every token request with a 201 whose expires_at the test sets, counting requests. */
const iamAnswering = (expiresAt: () => number) => {
  let calls = 0;
  const http: HttpClient = {
    server: { address: 'iam.test', port: 443 },
    async post(): Promise<HttpResponse> {
      calls += 1;
      return { status: 201, headers: { 'x-subject-token': TOKEN_VALUE }, data: JSON.stringify({ token: { expires_at: new Date(expiresAt()).toISOString(), methods: ['password'] } }) };
    },
    close() {},
  };
  return { http, calls: () => calls };
};

const setup = (lifetimeMs: number) => {
  const clock = new FakeClock();
  const iam = iamAnswering(() => clock.now() + lifetimeMs);
  const warnings: Array<{ obj: object; msg: string }> = [];
  const client = createIamClient({ http: iam.http, domainName: 'd', userName: 'u', password: 'p', clock, logger: { warn: (obj, msg) => warnings.push({ obj, msg }) } });
  return { client, iam, warnings, clock };
};

describe('createIamClient: a token must still be usable by the gateway clock when IAM issues it', () => {
  it.each([
    ['expires exactly now', 0],
    ['expired an hour ago', -3_600_000],
    ['has less than the 1 s guard left', 999],
  ])('refuses a token that %s with GW.3002 after one request, and logs it once without the token', async (_name, lifetimeMs) => {
    const { client, iam, warnings } = setup(lifetimeMs);
    await expect(client.fetchToken('p1')).rejects.toMatchObject({ code: 'GW.3002', status: 503, options: { retryAfterSeconds: 5, upstream: { status: 201 } } });
    expect(iam.calls()).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/already expired/);
    expect(warnings[0]!.obj).toMatchObject({ projectId: 'p1', behindMs: 0 - lifetimeMs });
    expect(JSON.stringify(warnings)).not.toContain(TOKEN_VALUE);
  });

  it('accepts a token with more than the guard left', async () => {
    const { client, warnings, clock } = setup(1_001);
    await expect(client.fetchToken('p1')).resolves.toEqual({ value: TOKEN_VALUE, expiresAt: clock.now() + 1_001, obtainedAt: clock.now() });
    expect(warnings).toEqual([]);
  });
});
