import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHttpClient, type HttpClient } from '../../src/outbound/createHttpClient';

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('createHttpClient (node:http)', () => {
  let server: Server;
  let client: HttpClient;
  const sockets = new Set<Socket>();
  let handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res));
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    client = createHttpClient({ baseURL: await listen(server), timeoutMs: 300, maxResponseBytes: 1024, userAgent: 'test-agent/1' });
  });
  afterAll(async () => {
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the body with the given headers, its own User-Agent and Content-Length, and returns status, headers and text', async () => {
    let seen: { method?: string; url?: string; headers?: Record<string, unknown>; body?: string } = {};
    handler = (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body };
        res.writeHead(201, { 'X-Request-Id': 'abc' }).end('{"ok":true}');
      });
    };
    const res = await client.post('/v3/p/jobs/x', '{"a":1}', { 'Content-Type': 'application/json', 'X-Auth-Token': 't' });
    expect(res).toEqual({ status: 201, headers: expect.objectContaining({ 'x-request-id': 'abc' }), data: '{"ok":true}' });
    expect(seen).toMatchObject({ method: 'POST', url: '/v3/p/jobs/x', body: '{"a":1}' });
    expect(Object.keys(seen.headers ?? {}).sort()).toEqual(['connection', 'content-length', 'content-type', 'host', 'user-agent', 'x-auth-token']);
  });

  it('does not follow redirects', async () => {
    handler = (_req, res) => res.writeHead(302, { Location: 'http://169.254.169.254/' }).end();
    expect((await client.post('/x', '', {})).status).toBe(302);
  });

  it('fails with ETIMEDOUT when the whole exchange outlasts the deadline, even while bytes trickle in', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    await expect(client.post('/x', '', {})).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('fails with ERR_RESPONSE_TOO_LARGE past the size cap', async () => {
    handler = (_req, res) => res.end('x'.repeat(5_000));
    await expect(client.post('/x', '', {})).rejects.toMatchObject({ code: 'ERR_RESPONSE_TOO_LARGE' });
  });

  it('refuses anything but a path, so no input can point the request elsewhere', async () => {
    await expect(client.post('http://evil.example.com/x', '', {})).rejects.toMatchObject({ code: 'ERR_INVALID_PATH' });
  });

  it('reports a reset after the whole request left, before any answer, as ECONNRESET with the request sent', async () => {
    handler = (req) => req.socket.destroy();
    await expect(client.post('/x', '', {})).rejects.toMatchObject({ code: 'ECONNRESET', requestSent: true });
  });

  it('reports a connection lost while the request was still being written as not sent', async () => {
    // More than loopback's socket buffers take at once, so the upstream's reset arrives before the last byte leaves.
    handler = (req) => req.socket.resetAndDestroy();
    // Its own deadline, long enough that a loaded machine's slow write of 64 MiB cannot end as a timeout first.
    const patient = createHttpClient({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 20_000, maxResponseBytes: 1024, userAgent: 'test-agent/1' });
    const error = await patient.post('/x', 'x'.repeat(64 * 1024 * 1024), {}).catch((e: unknown) => e);
    patient.close();
    expect(error).toMatchObject({ requestSent: false });
    expect(['ECONNRESET', 'EPIPE']).toContain((error as { code: string }).code);
  });

  it('reports a refused connection as ECONNREFUSED with nothing sent', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const refused = createHttpClient({ baseURL: url, timeoutMs: 1_000, maxResponseBytes: 1024, userAgent: 'test-agent/1' });
    await expect(refused.post('/x', '{}', {})).rejects.toMatchObject({ code: 'ECONNREFUSED', requestSent: false });
    refused.close();
  });

  it('reports a connection lost after the headers as ERR_RESPONSE_ABORTED, not as a reset', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.flushHeaders();
      setTimeout(() => req.socket.destroy(), 20);
    };
    await expect(client.post('/x', '', {})).rejects.toMatchObject({ code: 'ERR_RESPONSE_ABORTED' });
  });

  it('reports a connection lost halfway through the body as ERR_RESPONSE_ABORTED', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"results":[{"id":"a","sta');
      setTimeout(() => req.socket.destroy(), 20);
    };
    await expect(client.post('/x', '', {})).rejects.toMatchObject({ code: 'ERR_RESPONSE_ABORTED' });
  });
});
