import { send } from '../support/http';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, PROJECT } from '../support/tokens';

describe('routing, health and the error envelope', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ CORS_ORIGINS: 'https://web.example.com' });
  });
  afterAll(() => gateway.stop());

  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const res = await send(gateway.url, '/healthz', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('marks /v3 and /admin answers no-store, and no other path', async () => {
    const noStore = async (path: string) => (await send(gateway.url, path, { method: 'GET' })).headers.get('cache-control') === 'no-store';
    expect(await noStore(`/v3/${PROJECT}/jobs/batch-precheck`)).toBe(true);
    expect(await noStore('/v3')).toBe(true);
    expect(await noStore('/admin/config')).toBe(true);
    expect(await noStore('/healthz')).toBe(false);
    expect(await noStore('/v3x')).toBe(false);
    expect(await noStore('/administrator')).toBe(false);
  });

  it('GET /readyz names each dependency state and the overload state', async () => {
    const res = await send(gateway.url, '/readyz', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      dependencies: { redis: 'disabled', iam: expect.any(String), upstream: 'up', regions: { default: { drs: 'up', circuit: 'closed', iam: expect.any(String) } } },
      overload: { state: 'ok', eventLoopDelayMs: expect.any(Number), heapUsedMb: expect.any(Number) },
    });
  });

  it('404 GW.0404 in problem+json for an unknown path', async () => {
    const res = await send(gateway.url, '/nope?x=1', { method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({
      type: '/errors#GW.0404',
      title: 'Not found',
      status: 404,
      detail: 'No route matches this path.',
      instance: '/nope',
      error_code: 'GW.0404',
      error_msg: 'No route matches this path.',
      request_id: res.headers.get('x-request-id'),
    });
  });

  it('serves the error catalogue at /errors with an anchor per code, so problem types resolve', async () => {
    const res = await send(gateway.url, '/errors', { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    for (const code of ['GW.0400', 'GW.1003', 'GW.3008', 'GW.5030']) expect(res.text).toContain(`id="${code}"`);
  });

  it.each([
    ['GET', `/v3/${PROJECT}/jobs/batch-precheck`, 'POST'],
    ['DELETE', `/v3/${PROJECT}/jobs/batch-precheck-result`, 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PUT', '/readyz', 'GET, HEAD'],
  ])('405 GW.0405 with Allow for %s %s', async (method, path, allow) => {
    const res = await send(gateway.url, path, { method, headers: { Authorization: bearer() } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.json().error_code).toBe('GW.0405');
  });

  it('answers CORS preflights for configured origins only', async () => {
    const path = `/v3/${PROJECT}/jobs/batch-precheck`;
    const allowed = await fetch(`${gateway.url}${path}`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://web.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://web.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    const other = await fetch(`${gateway.url}${path}`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
