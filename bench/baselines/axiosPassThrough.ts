// Baseline (case 3): Express relaying the body to DRS through axios (keep-alive agent, raw text); no feature at all.
import http from 'node:http';
import { once } from 'node:events';
import axios from 'axios';
import express from 'express';
import { runChild } from '../lib/ipc';
import { fetchIamToken } from './iamToken';

runChild(async () => {
  const upstream = new URL(process.env.BENCH_UPSTREAM ?? '');
  const token = await fetchIamToken(upstream.origin, process.env.BENCH_PROJECT ?? '');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
  const client = axios.create({
    baseURL: upstream.origin,
    httpAgent: agent,
    proxy: false,
    maxRedirects: 0,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });
  const app = express();
  app.set('etag', false); // the gateway turns it off too; hashing every body is no pass-through's job
  app.post('/v3/:project_id/jobs/:route', express.raw({ type: () => true }), async (req, res) => {
    try {
      const answer = await client.post<string>(req.url, req.body, { headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token } });
      res.status(answer.status).type('application/json').send(answer.data);
    } catch {
      res.sendStatus(502);
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => agent.destroy()) };
});
