import { GatewayError } from '../../src/errors/GatewayError';
import { IamTokenCache } from '../../src/iam/IamTokenCache';
import type { FetchOptions, IamToken, IamTokenFetcher } from '../../src/iam/IamToken';
import type { RequestTrail } from '../../src/telemetry/RequestTrail';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';

const HOUR = 3_600_000;

/** An IAM double: counts fetches, can fail, and resolves only when the test lets it (to test single-flight). */
class FakeIam implements IamTokenFetcher {
  calls = 0;
  failWith?: Error;
  lifetimeMs = 24 * HOUR;
  private pending: Array<() => void> = [];
  manual = false;

  constructor(private readonly clock: FakeClock) {}

  /** The options of each fetch, in order. */
  options: Array<FetchOptions | undefined> = [];

  fetchToken(projectId: string, _parent?: unknown, options?: FetchOptions): Promise<IamToken> {
    this.calls += 1;
    this.options.push(options);
    const n = this.calls;
    const make = (): IamToken => ({ value: `MII-${projectId}-${n}`, obtainedAt: this.clock.now(), expiresAt: this.clock.now() + this.lifetimeMs });
    if (this.failWith) return Promise.reject(this.failWith);
    if (!this.manual) return Promise.resolve(make());
    return new Promise((resolve) => this.pending.push(() => resolve(make())));
  }

  releaseAll(): void {
    for (const release of this.pending.splice(0)) release();
  }
}

const setup = (marginMs = 15 * 60_000) => {
  const clock = new FakeClock();
  const iam = new FakeIam(clock);
  const warnings: object[] = [];
  const metrics = new CountingMetrics();
  const cache = new IamTokenCache({ fetcher: iam, clock, refreshMarginMs: marginMs, logger: { warn: (obj) => warnings.push(obj) }, metrics, region: 'north' });
  return { clock, iam, cache, warnings, metrics };
};

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('IamTokenCache', () => {
  it('tells the trail where each token came from: IAM, the shared level, then this instance\'s memory', async () => {
    const { iam, cache } = setup();
    const first: RequestTrail = {};
    await cache.get('p1', first);
    expect(first.tokenSource).toBe('iam');
    const second: RequestTrail = {};
    await cache.get('p1', second);
    expect(second.tokenSource).toBe('memory');
    jest.spyOn(iam, 'fetchToken').mockResolvedValueOnce({ value: 'shared', obtainedAt: 0, expiresAt: 24 * HOUR, sharedCopy: true });
    const third: RequestTrail = {};
    await cache.get('p2', third);
    expect(third.tokenSource).toBe('redis');
  });

  it('counts a failed background refresh by region, while still serving the cached token', async () => {
    const { clock, iam, cache, metrics } = setup();
    await cache.get('p1');
    clock.advance(24 * HOUR - 14 * 60_000);
    iam.failWith = new GatewayError('GW.3002');
    expect((await cache.get('p1')).value).toBe('MII-p1-1');
    await flush();
    expect(metrics.count('iam_refresh_failure:north')).toBe(1);
  });

  it('makes one IAM call for many concurrent cold requests for the same project', async () => {
    const { iam, cache } = setup();
    iam.manual = true;
    const waiting = Array.from({ length: 50 }, () => cache.get('p1'));
    iam.releaseAll();
    const tokens = await Promise.all(waiting);
    expect(iam.calls).toBe(1);
    expect(new Set(tokens.map((t) => t.value))).toEqual(new Set(['MII-p1-1']));
  });

  it('keeps one token per project', async () => {
    const { iam, cache } = setup();
    expect((await cache.get('p1')).value).toBe('MII-p1-1');
    expect((await cache.get('p2')).value).toBe('MII-p2-2');
    expect((await cache.get('p1')).value).toBe('MII-p1-1');
    expect(iam.calls).toBe(2);
  });

  it('refreshes in the background once inside the margin, serving the old token meanwhile', async () => {
    const { clock, iam, cache } = setup();
    await cache.get('p1');
    clock.advance(24 * HOUR - 14 * 60_000);
    expect((await cache.get('p1')).value).toBe('MII-p1-1');
    await flush();
    expect(iam.calls).toBe(2);
    expect((await cache.get('p1')).value).toBe('MII-p1-2');
  });

  it('counts at most half the lifetime as margin, so short tokens are not refreshed on every use', async () => {
    const { clock, iam, cache } = setup(15 * 60_000);
    iam.lifetimeMs = 10_000;
    await cache.get('p1');
    clock.advance(4_000);
    await cache.get('p1');
    await flush();
    expect(iam.calls).toBe(1);
    clock.advance(1_500);
    await cache.get('p1');
    await flush();
    expect(iam.calls).toBe(2);
  });

  it('keeps serving a token inside its margin while IAM is down, and never an expired one', async () => {
    const { clock, iam, cache, warnings } = setup();
    await cache.get('p1');
    iam.failWith = new GatewayError('GW.3002');
    clock.advance(24 * HOUR - 10 * 60_000);
    expect((await cache.get('p1')).value).toBe('MII-p1-1');
    await flush();
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('MII-');
    clock.advance(10 * 60_000);
    await expect(cache.get('p1')).rejects.toMatchObject({ code: 'GW.3002' });
  });

  it('does not retry a failed background refresh on every request', async () => {
    const { clock, iam, cache } = setup();
    await cache.get('p1');
    iam.failWith = new Error('down');
    clock.advance(24 * HOUR - 10 * 60_000);
    for (let i = 0; i < 20; i += 1) await cache.get('p1');
    await flush();
    expect(iam.calls).toBe(2);
    clock.advance(5_000);
    await cache.get('p1');
    await flush();
    expect(iam.calls).toBe(3);
  });

  it('after DRS refused the token, asks for one obtained after the refusal, so no copy shared before it comes back', async () => {
    const { clock, iam, cache } = setup();
    const first = await cache.get('p1');
    clock.advance(1_000);
    cache.invalidate('p1', first.value);
    await cache.get('p1');
    expect(iam.options).toEqual([undefined, { obtainedAfter: clock.now() }]);
    cache.invalidate('p1', 'MII-some-older-token');
    clock.advance(HOUR);
    await cache.get('p1');
    expect(iam.options).toHaveLength(2);
  });

  it('invalidates only the token it was told about, so a fresher one survives', async () => {
    const { iam, cache } = setup();
    const first = await cache.get('p1');
    cache.invalidate('p1', first.value);
    const second = await cache.get('p1');
    expect(second.value).toBe('MII-p1-2');
    cache.invalidate('p1', first.value);
    expect((await cache.get('p1')).value).toBe('MII-p1-2');
    expect(iam.calls).toBe(2);
    expect(await cache.invalidateAll()).toEqual({ memory: 1, shared: 0 });
    await cache.get('p1');
    expect(iam.calls).toBe(3);
  });

  it('passes a cold fetch failure to every waiter and forgets the project', async () => {
    const { iam, cache } = setup();
    iam.failWith = new GatewayError('GW.3001');
    await expect(Promise.all([cache.get('p1'), cache.get('p1')])).rejects.toMatchObject({ code: 'GW.3001' });
    expect(iam.calls).toBe(1);
    iam.failWith = undefined;
    expect((await cache.get('p1')).value).toBe('MII-p1-2');
  });
});
