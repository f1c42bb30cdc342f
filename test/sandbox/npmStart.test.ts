import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayNodeFlags } from '../../bench/lib/startCommand';
import { SANDBOX_JOB_ID } from '../../src/sandbox/sandboxBanner';
import { eventually } from '../support/eventually';

const ROOT = join(__dirname, '../..');

/** Runs the compiled entry point exactly as `npm start` does, with the given environment. */
const startMain = (env: Record<string, string>): ChildProcess =>
  spawn(process.execPath, [...gatewayNodeFlags(), join(ROOT, 'dist/main.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

const collect = (child: ChildProcess) => {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return out;
};

const waitForText = async (out: { stdout: string }, text: RegExp, timeoutMs: number): Promise<RegExpMatchArray> => {
  const match = await eventually(() => text.exec(out.stdout), (found) => found !== null, timeoutMs);
  if (match === null) throw new Error(`no ${text} in output: ${out.stdout.slice(0, 500)}`);
  return match;
};

describe('npm start (the compiled entry point)', () => {
  it('runs the sandbox with no configuration and prints a token and a curl line that performs a real pre-check', async () => {
    const child = startMain({ PORT: '0' });
    const out = collect(child);
    try {
      const [curl] = await waitForText(out, /^curl -sS -X POST .*batch-precheck .*$/m, 15_000);
      const url = /POST (\S+)/.exec(curl)![1]!;
      const token = /Authorization: Bearer ([^"]+)"/.exec(curl)![1]!;
      const bodyText = /-d '([^']+)'/.exec(curl)![1]!;
      const res = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: bodyText });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ results: [{ id: SANDBOX_JOB_ID, status: 'success', precheck_id: SANDBOX_JOB_ID }], count: 1 });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    expect(out.stderr).toContain('SIGTERM received, draining');
  });

  it('serves the admin console from dist/, where the build copies its files', async () => {
    const child = startMain({ PORT: '0' });
    const out = collect(child);
    try {
      const [, origin] = await waitForText(out, /^curl -sS -X POST (http:\/\/[^/]+)\//m, 15_000);
      for (const [path, text] of [
        ['/admin/', '<script type="module" src="console.js">'],
        ['/admin/console.js', 'sessionStorage'],
        ['/admin/console.css', 'prefers-color-scheme'],
      ] as const) {
        const res = await fetch(`${origin}${path}`);
        expect({ path, status: res.status, served: (await res.text()).includes(text) }).toEqual({ path, status: 200, served: true });
      }
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('refuses to start in production on embedded defaults, naming every missing setting in one message', async () => {
    const child = startMain({ NODE_ENV: 'production' });
    const out = collect(child);
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    for (const key of ['DRS_ENDPOINT', 'IAM_ENDPOINT', 'IAM_PASSWORD', 'REDIS_URL', 'JWT_SECRET', 'JWT_ISSUER', 'JWT_AUDIENCE']) expect(out.stderr).toContain(key);
    expect(out.stderr.match(/Invalid configuration/g)).toHaveLength(1);
  });

  it('is started by the container image with the same node flags as npm start', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual(['node', ...gatewayNodeFlags(), 'dist/main.js']);
  });
});
