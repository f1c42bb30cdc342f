import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createTokenVerifier } from '../../src/auth';
import { VerifiedTokenCache } from '../../src/auth/VerifiedTokenCache';
import { FakeClock } from '../support/fakeClock';

const NOW_MS = Date.UTC(2026, 10, 28, 12);
const NOW_S = NOW_MS / 1000;
const caller = { sub: 'a', scopes: new Set<string>(), projects: new Set<string>(), claims: {}, expiresAt: NOW_MS + 3_600_000 };

describe('VerifiedTokenCache', () => {
  it('answers until the token expires or the re-verification horizon passes, whichever is first', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 60_000 });
    cache.set('t1', caller, NOW_MS, NOW_MS + 10_000, 0);
    cache.set('t2', caller, NOW_MS, NOW_MS + 3_600_000, 0);
    expect(cache.get('t1', NOW_MS + 9_999)).toBe(caller);
    expect(cache.get('t1', NOW_MS + 10_000)).toBeUndefined();
    expect(cache.get('t2', NOW_MS + 59_999)).toBe(caller);
    expect(cache.get('t2', NOW_MS + 60_000)).toBeUndefined();
  });

  it('does not answer before nbf', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10, maxAgeMs: 60_000 });
    cache.set('t', caller, NOW_MS, NOW_MS + 30_000, NOW_MS + 5_000);
    expect(cache.get('t', NOW_MS)).toBeUndefined();
  });

  it('evicts the oldest entry when full', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 2, maxAgeMs: 60_000 });
    for (const t of ['a', 'b', 'c']) cache.set(t, caller, NOW_MS, NOW_MS + 30_000, 0);
    expect(cache.get('a', NOW_MS)).toBeUndefined();
    expect(cache.get('b', NOW_MS)).toBe(caller);
    expect(cache.get('c', NOW_MS)).toBe(caller);
  });
});

describe('the verifier with its verified-token cache', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const sign = (claims: object) => jwt.sign({ sub: 's', scope: 'drs:precheck', ...claims }, privateKey, { algorithm: 'RS256' });

  it('still refuses a remembered token once it has expired (GW.1003)', async () => {
    const clock = new FakeClock(NOW_MS);
    const verifier = createTokenVerifier({ publicKey: pem, clockToleranceMs: 1_000, clock });
    const token = sign({ exp: NOW_S + 30 });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ sub: 's' });
    clock.advance(30_999);
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ sub: 's' });
    clock.advance(1);
    await expect(verifier.verify(`Bearer ${token}`)).rejects.toMatchObject({ code: 'GW.1003' });
  });

  it('never lets a different token ride on a remembered one: the whole token is the key', async () => {
    const clock = new FakeClock(NOW_MS);
    const verifier = createTokenVerifier({ publicKey: pem, clockToleranceMs: 0, clock });
    const token = sign({ exp: NOW_S + 300 });
    await verifier.verify(`Bearer ${token}`);
    const [h, p] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'admin', scope: 'gateway:admin', exp: NOW_S + 300 })).toString('base64url');
    await expect(verifier.verify(`Bearer ${h}.${forgedPayload}.${token.split('.')[2]}`)).rejects.toMatchObject({ code: 'GW.1002' });
    expect(p).toBeDefined();
  });
});
