// JWKS keys end to end against a real JWKS endpoint: kid lookup, caching, unknown-kid cooldown and stale keys.
import { createTokenVerifier, type TokenVerifierOptions } from '../../src/auth/createTokenVerifier';
import { jwk, startJwksServer, type JwksServer } from './jwksServer';
import { FakeClock } from '../support/fakeClock';
import { NOW_MS, bearer, claims, ecKeyPair, gatewayErrorOf, rsaKeyPair, signToken } from './tokenFixtures';

const MINUTE = 60_000;
const rsaA = rsaKeyPair();
const ecB = ecKeyPair('P-256');
const rsaC = rsaKeyPair();
const keyA = jwk(rsaA.publicKey, { kid: 'key-a', alg: 'RS256' });
const keyB = jwk(ecB.publicKey, { kid: 'key-b' });
const keyC = jwk(rsaC.publicKey, { kid: 'key-c' });

/** Claims valid at the test clock's current time, which the tests move by minutes. */
const current = (): Record<string, unknown> => {
  const nowS = Math.floor(clock.now() / 1000);
  return claims({ iat: nowS, exp: nowS + 300 });
};

const tokenA = (): string => bearer(signToken(current(), rsaA.privateKey, 'RS256', { kid: 'key-a' }));
const tokenB = (): string => bearer(signToken(current(), ecB.privateKey, 'ES256', { kid: 'key-b' }));
const tokenC = (): string => bearer(signToken(current(), rsaC.privateKey, 'RS256', { kid: 'key-c' }));

let server: JwksServer;
let clock: FakeClock;
let warnings: Array<{ obj: object; msg: string }>;

const jwksVerifier = (overrides: Partial<TokenVerifierOptions> = {}, uri = server.url) =>
  createTokenVerifier({
    jwksUri: uri,
    clockToleranceMs: 30_000,
    clock,
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    ...overrides,
  });

beforeAll(async () => {
  server = await startJwksServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.reset([keyA, keyB]);
  clock = new FakeClock(NOW_MS);
  warnings = [];
});

describe('keys by kid', () => {
  it('verifies each token with the JWKS key its kid names', async () => {
    const verifier = jwksVerifier();
    await expect(verifier.verify(tokenA())).resolves.toMatchObject({ sub: 'svc-batch-runner' });
    await expect(verifier.verify(tokenB())).resolves.toMatchObject({ sub: 'svc-batch-runner' });
  });

  it('rejects a token signed by a different key under a known kid', async () => {
    const forged = bearer(signToken(current(), rsaC.privateKey, 'RS256', { kid: 'key-a' }));
    const error = await gatewayErrorOf(jwksVerifier().verify(forged));
    expect(error.options.detail?.['en-us']).toBe('The token signature is invalid.');
  });

  it('refuses an algorithm other than the one a JWK pins', async () => {
    const ps256 = bearer(signToken(current(), rsaA.privateKey, 'PS256', { kid: 'key-a' }));
    const error = await gatewayErrorOf(jwksVerifier().verify(ps256));
    expect([error.code, error.options.detail?.['en-us']]).toEqual(['GW.1002', 'The token signing algorithm does not match its key.']);
  });

  it('lets a kid-less token use the only key of a single-key set, but not pick among several', async () => {
    const kidless = bearer(signToken(current(), rsaA.privateKey, 'RS256'));
    const error = await gatewayErrorOf(jwksVerifier().verify(kidless));
    expect(error.options.detail?.['en-us']).toBe('The token signing key is not known.');
    server.reset([keyA]);
    await expect(jwksVerifier().verify(kidless)).resolves.toBeDefined();
  });

  it('derives RS256, PS256 and ES256 as the JWKS allow-list', async () => {
    server.reset([jwk(rsaC.publicKey, { kid: 'key-c' }), keyB]);
    const verifier = jwksVerifier();
    await expect(verifier.verify(bearer(signToken(current(), rsaC.privateKey, 'PS256', { kid: 'key-c' })))).resolves.toBeDefined();
    const rs512 = bearer(signToken(current(), rsaC.privateKey, 'RS512', { kid: 'key-c' }));
    expect((await gatewayErrorOf(verifier.verify(rs512))).options.detail?.['en-us']).toBe('The token signing algorithm is not accepted.');
  });
});

describe('caching', () => {
  it('fetches the JWKS once for many verifications within the cache age', async () => {
    const verifier = jwksVerifier();
    for (let i = 0; i < 5; i += 1) await verifier.verify(i % 2 === 0 ? tokenA() : tokenB());
    clock.advance(9 * MINUTE);
    await verifier.verify(tokenA());
    expect(server.hits()).toBe(1);
  });

  it('refetches once the cache age has passed', async () => {
    const verifier = jwksVerifier({ jwks: { cacheMaxAgeMs: 10 * MINUTE } });
    await verifier.verify(tokenA());
    clock.advance(10 * MINUTE);
    await verifier.verify(tokenA());
    expect(server.hits()).toBe(2);
  });

  it('shares one fetch between concurrent verifications on a cold cache', async () => {
    const verifier = jwksVerifier();
    await Promise.all(Array.from({ length: 10 }, (_, i) => verifier.verify(i % 2 === 0 ? tokenA() : tokenB())));
    expect(server.hits()).toBe(1);
  });

  it('drops keys that the refreshed set no longer holds', async () => {
    const verifier = jwksVerifier();
    await verifier.verify(tokenB());
    server.setKeys([keyA]);
    clock.advance(10 * MINUTE);
    expect((await gatewayErrorOf(verifier.verify(tokenB()))).options.detail?.['en-us']).toBe('The token signing key is not known.');
  });
});

describe('unknown kid', () => {
  it('refetches on an unknown kid, then waits out the cooldown before asking again', async () => {
    const verifier = jwksVerifier({ jwks: { cooldownMs: 30_000 } });
    await verifier.verify(tokenA());
    expect(server.hits()).toBe(1);

    clock.advance(30_000);
    expect((await gatewayErrorOf(verifier.verify(tokenC()))).code).toBe('GW.1002');
    expect(server.hits()).toBe(2);

    server.setKeys([keyA, keyB, keyC]);
    clock.advance(29_999);
    expect((await gatewayErrorOf(verifier.verify(tokenC()))).options.detail?.['en-us']).toBe('The token signing key is not known.');
    expect((await gatewayErrorOf(verifier.verify(bearer(signToken(current(), rsaC.privateKey, 'RS256', { kid: 'forged' }))))).code).toBe('GW.1002');
    expect(server.hits()).toBe(2);

    clock.advance(1);
    await expect(verifier.verify(tokenC())).resolves.toBeDefined();
    expect(server.hits()).toBe(3);
  });

  it('does not refetch for an unknown kid right after the first fetch', async () => {
    const verifier = jwksVerifier();
    server.setKeys([keyA]);
    await verifier.verify(tokenA());
    await gatewayErrorOf(verifier.verify(tokenB()));
    expect(server.hits()).toBe(1);
  });
});

describe('JWKS host down', () => {
  it('keeps verifying with the last known keys while the host answers 500, warning once per outage', async () => {
    const verifier = jwksVerifier();
    await verifier.verify(tokenA());
    server.setMode('error');

    clock.advance(10 * MINUTE);
    await expect(verifier.verify(tokenA())).resolves.toBeDefined();
    clock.advance(10 * MINUTE);
    await expect(verifier.verify(tokenB())).resolves.toBeDefined();
    expect(server.hits()).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.obj).toMatchObject({ reason: 'answered HTTP 500', servingStaleKeys: true });

    server.setMode('ok');
    clock.advance(10 * MINUTE);
    await verifier.verify(tokenA());
    server.setMode('error');
    clock.advance(10 * MINUTE);
    await verifier.verify(tokenA());
    expect(warnings).toHaveLength(2);
  });

  it('retries a failed refresh no more than once per cooldown', async () => {
    const verifier = jwksVerifier({ jwks: { cooldownMs: 30_000 } });
    await verifier.verify(tokenA());
    server.setMode('error');
    clock.advance(10 * MINUTE);
    await verifier.verify(tokenA());
    clock.advance(29_000);
    await verifier.verify(tokenA());
    await gatewayErrorOf(verifier.verify(tokenC()));
    expect(server.hits()).toBe(2);
    clock.advance(1_000);
    await verifier.verify(tokenA());
    expect(server.hits()).toBe(3);
  });

  it('keeps verifying with the last known keys when the host is gone altogether', async () => {
    const doomed = await startJwksServer();
    doomed.reset([keyA]);
    const verifier = jwksVerifier({}, doomed.url);
    await verifier.verify(tokenA());
    await doomed.close();

    clock.advance(10 * MINUTE);
    await expect(verifier.verify(tokenA())).resolves.toBeDefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.obj).toMatchObject({ reason: 'unreachable' });
  });

  it('gives up on a host that does not answer within the timeout and keeps the old keys', async () => {
    const verifier = jwksVerifier({ jwks: { timeoutMs: 200 } });
    await verifier.verify(tokenA());
    server.setMode('hang');
    clock.advance(10 * MINUTE);
    const started = Date.now();
    await expect(verifier.verify(tokenA())).resolves.toBeDefined();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(warnings[0]?.obj).toMatchObject({ reason: 'timed out' });
  });

  it('answers GW.5000 when no key set was ever fetched, without hammering the host', async () => {
    server.setMode('error');
    const verifier = jwksVerifier();
    const error = await gatewayErrorOf(verifier.verify(tokenA()));
    expect([error.code, error.options.detail?.['en-us']]).toEqual(['GW.5000', 'The keys needed to verify the token are temporarily unavailable.']);
    expect((await gatewayErrorOf(verifier.verify(tokenA()))).code).toBe('GW.5000');
    expect(server.hits()).toBe(1);
    expect(warnings[0]?.obj).toMatchObject({ servingStaleKeys: false });

    server.setMode('ok');
    clock.advance(30_000);
    await expect(verifier.verify(tokenA())).resolves.toBeDefined();
  });

  it('logs neither the JWKS body nor the URL path, only the host and a fixed reason', async () => {
    server.setMode('error');
    await gatewayErrorOf(jwksVerifier().verify(tokenA()));
    const logged = JSON.stringify(warnings);
    expect(logged).not.toContain('Internal Server Error');
    expect(logged).not.toContain('.well-known');
    expect(warnings[0]?.obj).toMatchObject({ jwksHost: new URL(server.url).host });
  });
});
