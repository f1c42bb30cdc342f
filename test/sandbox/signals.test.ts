// Signals on the compiled entry point: npm start forwards SIGTERM/SIGINT, SIGHUP reloads and never kills, a stuck log reader never blocks the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gatewayNodeFlags } from '../../bench/lib/startCommand';
import { startSimulator } from '../../src/simulator/startSimulator';
import { gatewayYaml, PARTNER_PASSWORD_ENV } from '../support/gatewayYaml';
import { freePort } from '../support/redis/freePort';
import { bearer, JOB, PROJECT, signToken, TEST_SECRET } from '../support/tokens';
import { eventually } from '../support/eventually';

const ROOT = join(__dirname, '../..');
const BASE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

const collect = (child: ChildProcess) => {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  return out;
};

const waitFor = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> => {
  const value = await eventually(probe, (found) => found !== undefined, timeoutMs);
  if (value === undefined) throw new Error(`timed out waiting for ${what}`);
  return value;
};

/** Exit code, or a failure when the process is still alive after `ms`. */
const exitWithin = async (child: ChildProcess, ms: number): Promise<number | null> => {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`process ${child.pid} still running after ${ms} ms`)), ms);
  });
  try {
    const [code] = (await Promise.race([once(child, 'exit'), late])) as [number | null];
    return code;
  } finally {
    clearTimeout(timer);
  }
};

/** Ends a process this test started if a failed assertion left it running, and waits for it. */
const reap = async (child: ChildProcess, group = false): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  process.kill(group ? -child.pid : child.pid, 'SIGKILL');
  await exited;
};

/** Alive means present and not a zombie. */
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

const healthy = async (url: string): Promise<true | undefined> => {
  try {
    return (await fetch(`${url}/healthz`)).status === 200 ? true : undefined;
  } catch {
    return undefined;
  }
};

describe('npm start and signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('signalling the npm process with %s drains the gateway, and npm and node both exit', async (signal) => {
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: { ...BASE_ENV, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = collect(npm);
    let gatewayPid: number | undefined;
    try {
      const url = (await waitFor('the banner', () => /listening on (http:\S+)/.exec(out.stdout)?.[1], 15_000));
      // npm's direct child must be node itself: a shell in between would take the forwarded signal and die alone.
      const children = readFileSync(`/proc/${npm.pid}/task/${npm.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      expect(children).toHaveLength(1);
      gatewayPid = children[0] as number;
      expect(readFileSync(`/proc/${gatewayPid}/cmdline`, 'utf8')).toContain('dist/main.js');
      expect(await healthy(url)).toBe(true);

      process.kill(npm.pid as number, signal);
      await exitWithin(npm, 15_000);
      expect(out.stderr).toContain(`${signal} received, draining`);
      expect(out.stdout).toContain('"msg":"gateway stopped"');
      expect(alive(gatewayPid)).toBe(false);
    } finally {
      await reap(npm, true);
      if (gatewayPid !== undefined && alive(gatewayPid)) process.kill(gatewayPid, 'SIGKILL');
    }
  }, 40_000);
});

describe('SIGHUP reloads the configuration', () => {
  const passwords = { main: 'main-pa55word-on-disk', rotated: 'main-pa55word-rotated', partner: 'partner-pa55word-env', inline: 'inline-pa55word' };

  it('logs a reload that worked (its new tier limit then in force) and one that was refused with every problem at error level, shows each in lastReload (source signal), keeps serving, and never logs a password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-sighup-'));
    const configPath = join(dir, 'gateway.yaml');
    const passwordPath = join(dir, 'iam-main');
    const writeConfig = (text: string) => writeFileSync(configPath, text);
    writeFileSync(passwordPath, `${passwords.main}\n`);
    writeConfig(gatewayYaml({ passwordFile: passwordPath }));
    const child = spawn(process.execPath, [...gatewayNodeFlags(), join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...BASE_ENV, PORT: '0', GATEWAY_CONFIG: configPath, JWT_SECRET: TEST_SECRET, [PARTNER_PASSWORD_ENV]: passwords.partner },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    const logged = (msg: string) => () => out.stdout.split('\n').filter((l) => l.includes(`"msg":"${msg}"`)).map((l) => JSON.parse(l) as Record<string, any>).at(-1); // eslint-disable-line @typescript-eslint/no-explicit-any -- log lines are free-form JSON
    try {
      const port = await waitFor('the listening line', () => /"port":(\d+)[^\n]*"msg":"gateway listening"/.exec(out.stdout)?.[1], 15_000);
      const url = `http://127.0.0.1:${port}`;
      const shown = async () =>
        (await fetch(`${url}/admin/config`, { headers: { Authorization: bearer(signToken({ sub: 'ops', scope: 'gateway:admin:read' })) } })).json() as Promise<{
          version: { hash: string };
          lastReload: Record<string, unknown> | null;
          rateLimit: { tiers: Array<{ max: number }> };
        }>;
      const started = await shown();
      expect(started.lastReload).toBeNull();

      writeConfig(gatewayYaml({ max: 2, passwordFile: passwordPath }));
      writeFileSync(passwordPath, `${passwords.rotated}\n`);
      child.kill('SIGHUP');
      const reloaded = await waitFor('the reload line', logged('configuration reloaded'), 5_000);
      expect(reloaded).toMatchObject({ signal: 'SIGHUP', version: { hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      const after = await shown();
      expect(after.rateLimit.tiers[0]?.max).toBe(2);
      // The new limit is in force: an empty body is refused after the limiters have charged, so nothing goes upstream.
      const bulk = bearer(signToken({ sub: 'bulk-after-sighup', projects: ['*'], scope: 'drs:precheck drs:precheck:bulk' }));
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await fetch(`${url}/v3/${PROJECT}/jobs/batch-precheck`, { method: 'POST', headers: { Authorization: bulk, 'Content-Type': 'application/json' }, body: '{}' }));
      expect(answers.map((res) => res.status)).toEqual([400, 400, 429]);
      expect(answers[2]?.headers.get('ratelimit-policy')).toContain('"services"; q=2;');
      expect(after.version.hash).toBe(reloaded.version.hash);
      expect(after.version.hash).not.toBe(started.version.hash);
      expect(after.lastReload).toEqual({ outcome: 'success', at: expect.any(String), source: 'signal', version: { hash: after.version.hash } });

      writeConfig(gatewayYaml({ max: 5, passwordFile: passwordPath, extra: 'redis: { url: redis://other:6379 }' }).replace(`passwordFile: ${passwordPath}`, `password: ${passwords.inline}`));
      child.kill('SIGHUP');
      const refused = await waitFor('the refusal line', logged('configuration reload refused; the running configuration stays'), 5_000);
      expect(refused.problems.map((p: { setting: string }) => p.setting)).toEqual(['credentials.main.password', 'redis.url in GATEWAY_CONFIG']);
      // pino's levels: warn is 40, error 50.
      expect(refused.level).toBeGreaterThanOrEqual(40);
      expect(await healthy(url)).toBe(true);
      const afterRefusal = await shown();
      expect(afterRefusal.rateLimit.tiers[0]?.max).toBe(2);
      expect(afterRefusal.version.hash).toBe(after.version.hash);
      expect(afterRefusal.lastReload).toEqual({ outcome: 'failure', at: expect.any(String), source: 'signal', problems: refused.problems });
      expect(Date.parse(afterRefusal.lastReload?.at as string)).toBeGreaterThan(Date.parse(after.lastReload?.at as string));

      child.kill('SIGTERM');
      expect(await exitWithin(child, 15_000)).toBe(0);
      for (const secret of Object.values(passwords)) expect(out.stdout + out.stderr).not.toContain(secret);
    } finally {
      await reap(child);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('SIGHUP while the gateway is still starting', () => {
  it('never ends the process: SIGHUPs from the moment node runs the first line until it listens leave it starting and then serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-early-sighup-'));
    // A preload prints a line once node runs JavaScript: before that, no process can hold a signal off.
    const preload = join(dir, 'booted.js');
    writeFileSync(preload, "process.stdout.write('booted\\n');\n");
    const child = spawn(process.execPath, [...gatewayNodeFlags(), '--require', preload, join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...BASE_ENV, PORT: '0', JWT_SECRET: TEST_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    let hangups = 0;
    try {
      await waitFor('the preload line', () => (out.stdout.includes('booted') ? true : undefined), 15_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const port = await waitFor(
        'the listening line',
        () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the gateway exited (${child.signalCode ?? child.exitCode ?? ''}) after ${hangups} SIGHUPs`);
          const listening = /"port":(\d+)[^\n]*"msg":"gateway listening"/.exec(out.stdout)?.[1];
          if (listening === undefined) {
            child.kill('SIGHUP');
            hangups += 1;
          }
          return listening;
        },
        20_000,
      );
      expect(hangups).toBeGreaterThan(0);
      expect(await healthy(`http://127.0.0.1:${port}`)).toBe(true);
    } finally {
      await reap(child);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});

describe('SIGTERM with a pre-check in flight', () => {
  it('turns /readyz 503 during SHUTDOWN_DELAY_MS and answers a slow pre-check that reached DRS with 200, then exits 0', async () => {
    const simulator = await startSimulator();
    const child = spawn(process.execPath, [...gatewayNodeFlags(), join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...BASE_ENV, PORT: '0', DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, JWT_SECRET: TEST_SECRET, SHUTDOWN_DELAY_MS: '3000', SHUTDOWN_GRACE_MS: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      const port = await waitFor('the listening line', () => /"port":(\d+)[^\n]*"msg":"gateway listening"/.exec(out.stdout)?.[1], 15_000);
      const url = `http://127.0.0.1:${port}`;
      const precheck = () =>
        fetch(`${url}/v3/${PROJECT}/jobs/batch-precheck`, {
          method: 'POST',
          headers: { Authorization: bearer(signToken()), 'Content-Type': 'application/json' },
          body: JSON.stringify({ jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] }),
        });
      expect((await precheck()).status).toBe(200);
      simulator.faults.set({ drs: { latencyMs: 2_000, times: 1 } });
      const before = simulator.stats.drsRequests;
      const slow = precheck();
      await waitFor('the pre-check to reach DRS', () => (simulator.stats.drsRequests > before ? true : undefined), 5_000);

      child.kill('SIGTERM');
      await waitFor('readiness to turn 503', async () => ((await fetch(`${url}/readyz`)).status === 503 ? true : undefined), 2_500);
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ count: 1 });
      expect(await exitWithin(child, 15_000)).toBe(0);
    } finally {
      await reap(child);
      await simulator.stop();
    }
  }, 40_000);
});

describe('exit with a log reader that has gone', () => {
  /** A gateway whose stdout is a pipe to `reader`, filled with access-log lines until the pipe is full. */
  const gatewayLoggingInto = async (reader: ChildProcess) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gateway = spawn(process.execPath, [...gatewayNodeFlags(), join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...BASE_ENV, PORT: String(port) },
      stdio: ['ignore', reader.stdin ?? 'ignore', 'pipe'],
    });
    const out = collect(gateway);
    await waitFor('the gateway', () => healthy(url), 15_000);
    // About 1,500 access lines: several times a pipe's 64 KiB, so the logger holds lines it cannot write.
    for (let batch = 0; batch < 75; batch += 1) await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/healthz`).then((res) => res.text())));
    return { gateway, out };
  };

  it('exits after SIGTERM when the process reading its stdout stopped reading', async () => {
    const reader = spawn('sleep', ['120'], { stdio: ['pipe', 'ignore', 'ignore'] });
    let gateway: ChildProcess | undefined;
    try {
      ({ gateway } = await gatewayLoggingInto(reader));
      gateway.kill('SIGTERM');
      expect(await exitWithin(gateway, 10_000)).toBe(0);
    } finally {
      if (gateway) await reap(gateway);
      await reap(reader);
    }
  }, 60_000);

  it('exits after SIGTERM when the process reading its stdout was killed', async () => {
    const reader = spawn('sleep', ['120'], { stdio: ['pipe', 'ignore', 'ignore'] });
    let gateway: ChildProcess | undefined;
    try {
      let out;
      ({ gateway, out } = await gatewayLoggingInto(reader));
      await reap(reader);
      // Our own copy of the pipe's write end is not a reader; with the reader gone every write fails with EPIPE.
      reader.stdin?.destroy();
      gateway.kill('SIGTERM');
      expect(await exitWithin(gateway, 10_000)).toBe(0);
      expect(out.stderr).toContain('SIGTERM received, draining');
    } finally {
      if (gateway) await reap(gateway);
    }
  }, 60_000);
});

describe('SIGTERM with Redis down', () => {
  it('an idle gateway whose Redis is unreachable exits 0 within 3 s, every part closed together', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [...gatewayNodeFlags(), join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...BASE_ENV, NODE_ENV: 'development', PORT: String(port), REDIS_URL: `redis://127.0.0.1:${await freePort()}`, SHUTDOWN_DELAY_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      await waitFor('the gateway', () => healthy(`http://127.0.0.1:${port}`), 15_000);
      child.kill('SIGTERM');
      expect(await exitWithin(child, 3_000)).toBe(0);
      expect(out.stdout).toContain('"msg":"gateway stopped"');
      expect(out.stdout).not.toContain('shutdown step cut short');
    } finally {
      await reap(child);
    }
  }, 30_000);
});

describe('a public port already taken', () => {
  it('exits 1 with the cause once the parts built before the listen, the metrics listener among them, are closed', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const child = spawn(process.execPath, [...gatewayNodeFlags(), join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { ...BASE_ENV, PORT: String((taken.address() as AddressInfo).port), METRICS_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    try {
      expect(await exitWithin(child, 10_000)).toBe(1);
      expect(out.stderr).toContain('gateway failed to start: listen EADDRINUSE');
      expect(out.stdout).toMatch(/"cutShort":\[\],"msg":"gateway did not start; every part it had built is closed"/);
    } finally {
      await reap(child);
      taken.close();
    }
  }, 30_000);
});
