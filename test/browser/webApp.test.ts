import type { Browser } from 'playwright-core';
import { startSimulator, type Simulator } from '../../src/simulator/startSimulator';
import { launchChromium, servePage, type ServedPage } from '../support/browser';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { JOB, PROJECT, signToken } from '../support/tokens';

/** What an internal web app does: start a pre-check, then follow it live, all with fetch and a bearer token. */
const WEB_APP = `<!doctype html><html><body><script>
window.runPrecheck = async (gateway, token, project, job) => {
  const auth = { Authorization: 'Bearer ' + token };
  const started = await fetch(gateway + '/v3/' + project + '/jobs/batch-precheck', {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ jobs: [{ job_id: job, precheck_mode: 'forStartJob' }] }),
  });
  const result = { status: started.status, requestId: started.headers.get('X-Request-Id'), rateLimit: started.headers.get('RateLimit'), body: await started.json(), events: [] };
  const stream = await fetch(gateway + '/v3/' + project + '/jobs/precheck-progress?jobs=' + job, { headers: auth });
  const reader = stream.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\\n\\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block);
      if (name) result.events.push({ event: name[1], data: JSON.parse(/^data: (.*)$/m.exec(block)[1]) });
    }
  }
  return result;
};
window.tryFetch = (url) => fetch(url, { method: 'POST', headers: { Authorization: 'Bearer x', 'Content-Type': 'application/json' }, body: '{}' }).then(() => 'reached', (e) => 'blocked: ' + e.name);
</script></body></html>`;

describe('a web app in Chromium, on another origin', () => {
  let simulator: Simulator;
  let gateway: TestGateway;
  let browser: Browser;
  let app: ServedPage;
  let stranger: ServedPage;

  beforeAll(async () => {
    app = await servePage(WEB_APP);
    stranger = await servePage(WEB_APP);
    simulator = await startSimulator({ precheckDurationMs: 800 });
    gateway = await startTestGateway({ DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, CORS_ORIGINS: app.origin, PRECHECK_POLL_INTERVAL_MS: '200' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await simulator?.stop();
    app?.server.close();
    stranger?.server.close();
  });

  it('starts a pre-check and follows its progress to done through CORS, reading the exposed headers', async () => {
    const page = await browser.newPage();
    await page.goto(app.origin);
    const token = signToken({ sub: 'browser-user', projects: [PROJECT] });
    const result = await page.evaluate(([gw, t, p, j]) => (globalThis as unknown as { runPrecheck: (...a: string[]) => Promise<unknown> }).runPrecheck(gw!, t!, p!, j!), [gateway.url, token, PROJECT, JOB]);
    expect(result).toMatchObject({
      status: 200,
      requestId: expect.stringMatching(/^[0-9a-f]{16}$/),
      rateLimit: expect.stringContaining('"caller"'),
      body: { results: [{ id: JOB, status: 'success' }], count: 1 },
    });
    const events = (result as { events: Array<{ event: string; data: Record<string, unknown> }> }).events;
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    expect(events.at(-1)).toEqual({ event: 'done', data: expect.objectContaining({ job_id: JOB, result: true }) });
    await page.close();
  });

  it('a page from an origin not in CORS_ORIGINS cannot read the gateway', async () => {
    const page = await browser.newPage();
    await page.goto(stranger.origin);
    const outcome = await page.evaluate((url) => (globalThis as unknown as { tryFetch: (u: string) => Promise<string> }).tryFetch(url), `${gateway.url}/v3/${PROJECT}/jobs/batch-precheck`);
    expect(outcome).toBe('blocked: TypeError');
    await page.close();
  });
});
