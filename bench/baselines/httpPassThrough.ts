// Baseline (case 2): Express relaying the body to DRS over node:http with a keep-alive agent; no feature at all.
import http from 'node:http';
import { once } from 'node:events';
import express from 'express';
import { runChild } from '../lib/ipc';
import { fetchIamToken } from './iamToken';

runChild(async () => {
  const upstream = new URL(process.env.BENCH_UPSTREAM ?? '');
  const token = await fetchIamToken(upstream.origin, process.env.BENCH_PROJECT ?? '');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' });
  const app = express();
  app.post('/v3/:project_id/jobs/:route', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length, 'X-Auth-Token': token };
      const forward = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: 'POST', agent, headers }, (answer) => {
        res.status(answer.statusCode ?? 502).type('application/json');
        answer.pipe(res);
      });
      forward.on('error', () => res.sendStatus(502));
      forward.end(body);
    });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => agent.destroy()) };
});
