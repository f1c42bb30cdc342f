// The client bundled for a page (esbuild, browser platform: a Node-only import fails the bundle) and run in Chromium.
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import type { RunningGateway } from '../../../../src/server';
import { startSimulator, type Simulator } from '../../../../src/simulator/startSimulator';
import { launchChromium, servePage, type ServedPage } from '../../../../test/support/browser';
import { startTestGateway } from '../../../../test/support/startTestGateway';
import { JOB, PROJECT, signToken } from '../../../../test/support/tokens';

/** What a web app does with the client: start, watch to done, read; and what it sees of a refusal. */
const APP = `
window.runPrecheck = async (gateway, token, project, job) => {
  const client = GatewayClient.createGatewayClient({ baseUrl: gateway, getToken: async () => token });
  const started = await client.startPrecheck(project, [{ job_id: job, precheck_mode: 'forStartJob' }], { requestId: 'page-request-1' });
  const events = [];
  for await (const event of client.watchPrecheck(project, [job])) events.push(event);
  const read = await client.getPrecheckResults(project, [job]);
  return { started, events, read };
};
window.runRefused = async (gateway, token, project) => {
  const client = GatewayClient.createGatewayClient({ baseUrl: gateway, getToken: () => token, language: 'zh-cn' });
  try {
    await client.getPrecheckResults(project, ['nope']);
    return 'no error';
  } catch (error) {
    return { isClientError: error instanceof GatewayClient.GatewayClientError, status: error.status, code: error.error_code, retryable: error.retryable, title: error.problem.title, requestId: error.request_id };
  }
};
`;

const bundleClient = async (): Promise<string> => {
  const result = await build({
    entryPoints: [join(__dirname, '..', '..', 'src', 'index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'GatewayClient',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
};

describe('the gateway client in headless Chromium, on another origin', () => {
  let simulator: Simulator;
  let gateway: RunningGateway;
  let browser: Browser;
  let app: ServedPage;
  let page: Page;
  const token = signToken({ sub: 'browser-client', projects: [PROJECT] });

  beforeAll(async () => {
    app = await servePage(`<!doctype html><html><body><script>${await bundleClient()}\n${APP}</script></body></html>`);
    simulator = await startSimulator({ precheckDurationMs: 800 });
    gateway = await startTestGateway({ DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, CORS_ORIGINS: app.origin, PRECHECK_POLL_INTERVAL_MS: '200' });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(app.origin);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await simulator?.stop();
    await new Promise((resolve) => app?.server.close(resolve));
  });

  it('starts a pre-check, watches it to done over fetch with the bearer header, and reads the result', async () => {
    const result = (await page.evaluate(([gw, t, p, j]) => (globalThis as unknown as { runPrecheck: (...a: string[]) => Promise<unknown> }).runPrecheck(gw!, t!, p!, j!), [gateway.url, token, PROJECT, JOB])) as {
      started: unknown;
      events: Array<{ type: string; data: Record<string, unknown> }>;
      read: { results: Array<Record<string, unknown>> };
    };
    expect(result.started).toEqual({ count: 1, results: [expect.objectContaining({ id: JOB, status: 'success' })] });
    expect(result.events.some((e) => e.type === 'progress')).toBe(true);
    expect(result.events.at(-1)).toEqual({ type: 'done', data: expect.objectContaining({ job_id: JOB, result: true }) });
    expect(result.read.results[0]).toMatchObject({ process: '100%', result: true });
    expect(simulator.stats.requests.find((r) => r.route === 'batch-precheck')?.headers['x-request-id']).toBe('page-request-1');
  });

  it('turns a refusal into a GatewayClientError with the problem body read through CORS', async () => {
    const refused = await page.evaluate(([gw, t, p]) => (globalThis as unknown as { runRefused: (...a: string[]) => Promise<unknown> }).runRefused(gw!, t!, p!), [gateway.url, token, PROJECT]);
    expect(refused).toEqual({ isClientError: true, status: 400, code: 'GW.0400', retryable: false, title: '请求无效', requestId: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});
