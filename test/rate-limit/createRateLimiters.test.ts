// Tiers: the first tier whose scope the caller carries gives its limiter; everybody else shares the default tier.
import type { Caller } from '../../src/auth/Caller';
import { createRateLimiters } from '../../src/rate-limit/createRateLimiters';
import { CountingMetrics } from '../support/CountingMetrics';
import { FakeClock } from '../support/fakeClock';

const caller = (...scopes: string[]): Caller => ({ sub: 's', scopes: new Set(['drs:precheck', ...scopes]), projects: 'all', claims: {}, expiresAt: Number.MAX_SAFE_INTEGER });

describe('createRateLimiters tiers', () => {
  const limiters = createRateLimiters(
    {
      max: 60,
      windowMs: 60_000,
      ipMax: 1200,
      ipWindowMs: 60_000,
      tiers: [
        { name: 'services', scope: 'drs:precheck:bulk', max: 600 },
        { name: 'batch', scope: 'drs:precheck:batch', max: 6000, windowMs: 3_600_000 },
      ],
    },
    { metrics: new CountingMetrics(), clock: new FakeClock() },
  );

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
