// Tiers: the first tier whose scope the caller carries gives its limiter; everybody else shares the default tier. What the tiers counted, for the admin routes.
import type { Request, Response } from 'express';
import type { Caller } from '../../src/auth/Caller';
import { systemClock } from '../../src/clock';
import { runMiddleware } from '../../src/http/runMiddleware';
import { createRateLimiters, type RateLimitSettings } from '../../src/rate-limit/createRateLimiters';
import { createTopCallers, MemoryTopCallersStore } from '../../src/rate-limit/TopCallers';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';

const caller = (...scopes: string[]): Caller => ({ sub: 's', scopes: new Set(['drs:precheck', ...scopes]), projects: 'all', claims: {}, expiresAt: Number.MAX_SAFE_INTEGER });

const SETTINGS: RateLimitSettings = {
  max: 60,
  windowMs: 60_000,
  ipMax: 1200,
  ipWindowMs: 60_000,
  tiers: [
    { name: 'services', scope: 'drs:precheck:bulk', max: 600 },
    { name: 'batch', scope: 'drs:precheck:batch', max: 6000, windowMs: 3_600_000 },
  ],
};

const memoryLimiters = (clock = systemClock) => {
  const metrics = new CountingMetrics();
  return createRateLimiters(SETTINGS, { metrics, clock, topCallers: createTopCallers({ store: new MemoryTopCallersStore(), clock, metrics }) });
};

describe('createRateLimiters tiers', () => {
  const limiters = memoryLimiters(new FakeClock());

  it('charges the IP limiter first, then the caller tier', () => {
    const list = limiters.forCaller(caller());
    expect(list).toHaveLength(2);
    expect(list[0]).toBe(limiters.ipLimiter);
  });

  it('picks the first tier in list order whose scope the caller carries', () => {
    const services = limiters.forCaller(caller('drs:precheck:bulk'));
    const batch = limiters.forCaller(caller('drs:precheck:batch'));
    expect(services).not.toBe(batch);
    expect(limiters.forCaller(caller('drs:precheck:batch', 'drs:precheck:bulk'))).toBe(services);
  });

  it('puts a caller with no tier scope in the default tier, the same list every time', () => {
    const fallback = limiters.forCaller(caller());
    expect(limiters.forCaller(caller('other'))).toBe(fallback);
    expect(fallback).not.toBe(limiters.forCaller(caller('drs:precheck:bulk')));
  });
});

describe('createRateLimiters: what the tiers counted', () => {
  /** Charges the caller's tier limiter as a request would (express-rate-limit reads the IP and writes headers). */
  const charge = async (limiters: ReturnType<typeof memoryLimiters>, sub: string, ...scopes: string[]): Promise<void> => {
    const req = { ip: '192.0.2.7', app: { get: () => false }, headers: {}, get: () => undefined } as unknown as Request;
    const res = { locals: { caller: { sub } }, headersSent: false, setHeader: () => undefined, append: () => undefined, on: () => undefined } as unknown as Response;
    const tierLimiter = limiters.forCaller({ ...caller(...scopes), sub })[1];
    expect(await runMiddleware(tierLimiter as never, req, res)).toBeUndefined();
  };

  it("shows a caller's counter in its tier: limit, window, what is left and when it resets", async () => {
    const limiters = memoryLimiters();
    for (let i = 0; i < 3; i += 1) await charge(limiters, 'svc/a b@x', 'drs:precheck:bulk');
    const [usage, ...others] = await limiters.usageOf('svc/a b@x');
    expect(others).toEqual([]);
    expect(usage).toMatchObject({ name: 'services', limit: 600, windowMs: 60_000, remaining: 597 });
    expect(usage?.resetMs).toBeGreaterThan(55_000);
    expect(usage?.resetMs).toBeLessThanOrEqual(60_000);
    expect(await limiters.usageOf('never-seen')).toEqual([]);
  });

  it('lists every tier that counts the caller, the default first, and resets them all', async () => {
    const limiters = memoryLimiters();
    await charge(limiters, 'changed-scopes');
    await charge(limiters, 'changed-scopes', 'drs:precheck:batch');
    await charge(limiters, 'someone-else');
    expect((await limiters.usageOf('changed-scopes')).map((u) => [u.name, u.remaining])).toEqual([['caller', 59], ['batch', 5999]]);
    await limiters.resetCaller('changed-scopes');
    expect(await limiters.usageOf('changed-scopes')).toEqual([]);
    expect(await limiters.usageOf('someone-else')).toHaveLength(1);
  });

  it('counts every charged request in the top callers, by sub and tier, most first', async () => {
    const limiters = memoryLimiters();
    for (let i = 0; i < 3; i += 1) await charge(limiters, 'busy', 'drs:precheck:bulk');
    await charge(limiters, 'quiet');
    expect(await limiters.topCallers(20)).toEqual({
      windowMs: 60_000,
      callers: [
        { sub: 'busy', tier: 'services', requests: 3 },
        { sub: 'quiet', tier: 'caller', requests: 1 },
      ],
    });
    expect((await limiters.topCallers(1)).callers).toHaveLength(1);
  });
});
