// Behaviour of the bearer-token verifier with real signed tokens: algorithms, keys, time claims, iss/aud and claims.
import { createTokenVerifier, type TokenVerifierOptions } from '../../src/auth/createTokenVerifier';
import type { JwksKeySource } from '../../src/auth/JwksKeySource';
import { FakeClock } from '../support/fakeClock';
import {
  AUDIENCE,
  ISSUER,
  NOW_MS,
  NOW_S,
  SECRET,
  bearer,
  claims,
  claimsWithout,
  craftToken,
  ecKeyPair,
  gatewayErrorOf,
  rsaKeyPair,
  signToken,
} from './tokenFixtures';

const rsa = rsaKeyPair();
const otherRsa = rsaKeyPair();
const p256 = ecKeyPair('P-256');
const p384 = ecKeyPair('P-384');

const verifier = (overrides: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE, clockToleranceMs: 30_000, clock: new FakeClock(NOW_MS), ...overrides });

const pemVerifier = (publicPem: string, overrides: Partial<TokenVerifierOptions> = {}) =>
  verifier({ secret: undefined, publicKey: publicPem, ...overrides });

const detailOf = async (promise: Promise<unknown>): Promise<[string, string | undefined]> => {
  const error = await gatewayErrorOf(promise);
  return [error.code, error.options.detail?.['en-us']];
};

describe('accepted tokens', () => {
  it('accepts an HS256 token signed with the shared secret and returns the caller', async () => {
    const caller = await verifier().verify(bearer(signToken(claims(), SECRET)));
    expect(caller.sub).toBe('svc-batch-runner');
    expect([...caller.scopes]).toEqual(['drs:precheck']);
    expect(caller.projects).toEqual(new Set(['054ba152d480d55b2f5dc0069e7ddef0']));
  });

  it('accepts RS256 and PS256 tokens against an RSA PEM public key', async () => {
    const v = pemVerifier(rsa.publicPem);
    await expect(v.verify(bearer(signToken(claims(), rsa.privateKey, 'RS256')))).resolves.toMatchObject({ sub: 'svc-batch-runner' });
    await expect(v.verify(bearer(signToken(claims(), rsa.privateKey, 'PS256')))).resolves.toMatchObject({ sub: 'svc-batch-runner' });
  });

  it('accepts ES256 against a P-256 PEM key and ES384 against a P-384 PEM key', async () => {
    await expect(pemVerifier(p256.publicPem).verify(bearer(signToken(claims(), p256.privateKey, 'ES256')))).resolves.toBeDefined();
    await expect(pemVerifier(p384.publicPem).verify(bearer(signToken(claims(), p384.privateKey, 'ES384')))).resolves.toBeDefined();
  });

  it('accepts the scheme in any letter case', async () => {
    const token = signToken(claims(), SECRET);
    await expect(verifier().verify(`bearer ${token}`)).resolves.toBeDefined();
    await expect(verifier().verify(`BEARER   ${token}`)).resolves.toBeDefined();
  });

  it('checks neither iss nor aud when they are not configured', async () => {
    const v = verifier({ issuer: undefined, audience: undefined });
    await expect(v.verify(bearer(signToken(claims({ iss: 'anyone', aud: 'anything' }), SECRET)))).resolves.toBeDefined();
  });
});

describe('signature and algorithm', () => {
  it('rejects a token signed with another secret as an invalid signature', async () => {
    expect(await detailOf(verifier().verify(bearer(signToken(claims(), 'another-secret-entirely-0123456789abcdef')))))
      .toEqual(['GW.1002', 'The token signature is invalid.']);
  });

  it('rejects an RS256 token signed by another RSA key', async () => {
    expect(await detailOf(pemVerifier(rsa.publicPem).verify(bearer(signToken(claims(), otherRsa.privateKey, 'RS256')))))
      .toEqual(['GW.1002', 'The token signature is invalid.']);
  });

  it('rejects an ES256 token whose signature has the wrong length', async () => {
    const token = signToken(claims(), p256.privateKey, 'ES256');
    expect(await detailOf(pemVerifier(p256.publicPem).verify(bearer(token.slice(0, -8)))))
      .toEqual(['GW.1002', 'The token signature is invalid.']);
  });

  it('rejects an unsigned alg "none" token', async () => {
    const token = craftToken({ alg: 'none', typ: 'JWT' }, claims());
    expect(await detailOf(verifier().verify(bearer(token)))).toEqual(['GW.1002', 'Unsigned tokens are not accepted.']);
    expect(await detailOf(verifier().verify(bearer(craftToken({ alg: 'NONE' }, claims()))))).toEqual(['GW.1002', 'Unsigned tokens are not accepted.']);
  });

  it('rejects a correctly signed token whose alg is not in the allow-list', async () => {
    const token = signToken(claims(), SECRET, 'HS512');
    expect(await detailOf(verifier().verify(bearer(token)))).toEqual(['GW.1002', 'The token signing algorithm is not accepted.']);
    await expect(verifier({ algorithms: ['HS256', 'HS512'] }).verify(bearer(token))).resolves.toBeDefined();
  });

  it('rejects RS384 against an RSA key by default, since only RS256 and PS256 are derived', async () => {
    const token = signToken(claims(), rsa.privateKey, 'RS384');
    expect((await gatewayErrorOf(pemVerifier(rsa.publicPem).verify(bearer(token)))).code).toBe('GW.1002');
  });

  it('rejects an HS256 token that uses the RSA public key PEM as its HMAC secret (alg confusion)', async () => {
    const forged = craftToken({ alg: 'HS256', typ: 'JWT' }, claims(), rsa.publicPem);
    expect(await detailOf(pemVerifier(rsa.publicPem).verify(bearer(forged))))
      .toEqual(['GW.1002', 'The token signing algorithm is not accepted.']);
    // Even with HS256 allowed, an HS token is only ever checked against the shared secret.
    const both = verifier({ publicKey: rsa.publicPem, algorithms: ['HS256', 'RS256'] });
    expect(await detailOf(both.verify(bearer(forged)))).toEqual(['GW.1002', 'The token signature is invalid.']);
    await expect(both.verify(bearer(signToken(claims(), rsa.privateKey, 'RS256')))).resolves.toBeDefined();
  });

  it('rejects an ES256 token presented to an RSA key', async () => {
    const v = pemVerifier(rsa.publicPem, { algorithms: ['RS256', 'ES256'] });
    expect(await detailOf(v.verify(bearer(signToken(claims(), p256.privateKey, 'ES256')))))
      .toEqual(['GW.1002', 'The token signing algorithm does not match its key.']);
  });

  it('rejects a token carrying a crit header even when its signature is valid', async () => {
    const token = craftToken({ alg: 'HS256', typ: 'JWT', crit: ['exp'] }, claims(), SECRET);
    expect(await detailOf(verifier().verify(bearer(token))))
      .toEqual(['GW.1002', 'The token carries critical header parameters, which are not supported.']);
  });
});

describe('time claims', () => {
  it('reports a token expired beyond the tolerance as GW.1003', async () => {
    const error = await gatewayErrorOf(verifier().verify(bearer(signToken(claims({ exp: NOW_S - 31 }), SECRET))));
    expect(error.code).toBe('GW.1003');
    expect(error.status).toBe(401);
    expect(error.options.headers?.['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });

  it('accepts a token expired by less than the clock tolerance', async () => {
    await expect(verifier().verify(bearer(signToken(claims({ exp: NOW_S - 29 }), SECRET)))).resolves.toBeDefined();
  });

  it('applies the tolerance in milliseconds, from the injected clock', async () => {
    const token = signToken(claims({ exp: NOW_S + 1 }), SECRET);
    await expect(verifier({ clockToleranceMs: 0, clock: new FakeClock(NOW_S * 1000 + 999) }).verify(bearer(token))).resolves.toBeDefined();
    expect((await gatewayErrorOf(verifier({ clockToleranceMs: 0, clock: new FakeClock(NOW_S * 1000 + 1000) }).verify(bearer(token)))).code).toBe('GW.1003');
  });

  it('rejects a token whose nbf lies beyond the tolerance in the future', async () => {
    expect(await detailOf(verifier().verify(bearer(signToken(claims({ nbf: NOW_S + 60 }), SECRET)))))
      .toEqual(['GW.1002', 'The token is not valid yet.']);
    await expect(verifier().verify(bearer(signToken(claims({ nbf: NOW_S + 20 }), SECRET)))).resolves.toBeDefined();
  });

  it('rejects a token without exp', async () => {
    expect(await detailOf(verifier().verify(bearer(signToken(claimsWithout('exp'), SECRET))))).toEqual(['GW.1002', 'The token has no expiry time.']);
  });

  it('rejects a non-numeric exp', async () => {
    expect(await detailOf(verifier().verify(bearer(craftToken({ alg: 'HS256' }, claims({ exp: 'tomorrow' }), SECRET))))).toEqual(['GW.1002', 'The token claims are malformed.']);
  });
});

describe('issuer and audience', () => {
  it('rejects another issuer, and a missing one', async () => {
    expect(await detailOf(verifier().verify(bearer(signToken(claims({ iss: 'https://evil.example/' }), SECRET)))))
      .toEqual(['GW.1002', 'The token issuer is not accepted.']);
    expect(await detailOf(verifier().verify(bearer(signToken(claimsWithout('iss'), SECRET))))).toEqual(['GW.1002', 'The token issuer is not accepted.']);
  });

  it('rejects another audience, and a missing one, but accepts an aud array that contains ours', async () => {
    expect(await detailOf(verifier().verify(bearer(signToken(claims({ aud: 'other-api' }), SECRET)))))
      .toEqual(['GW.1002', 'The token audience is not accepted.']);
    expect(await detailOf(verifier().verify(bearer(signToken(claimsWithout('aud'), SECRET))))).toEqual(['GW.1002', 'The token audience is not accepted.']);
    await expect(verifier().verify(bearer(signToken(claims({ aud: ['other-api', AUDIENCE] }), SECRET)))).resolves.toBeDefined();
  });
});

describe('claims', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not a string', 42],
  ])('rejects a token whose sub is %s', async (_label, sub) => {
    expect(await detailOf(verifier().verify(bearer(signToken(claims({ sub }), SECRET))))).toEqual(['GW.1002', 'The token has no subject.']);
  });

  it('reads scopes from a space-separated scope claim', async () => {
    const caller = await verifier().verify(bearer(signToken(claims({ scope: ' drs:precheck  gateway:admin ' }), SECRET)));
    expect(caller.scopes).toEqual(new Set(['drs:precheck', 'gateway:admin']));
  });

  it('reads scopes from an scp array, and from an scp string', async () => {
    const fromArray = await verifier().verify(bearer(signToken(claims({ scope: undefined, scp: ['gateway:admin', 7] }), SECRET)));
    expect(fromArray.scopes).toEqual(new Set(['gateway:admin']));
    const fromString = await verifier().verify(bearer(signToken(claims({ scope: undefined, scp: 'drs:precheck' }), SECRET)));
    expect(fromString.scopes).toEqual(new Set(['drs:precheck']));
  });

  it('has no scopes when neither claim is present', async () => {
    const caller = await verifier().verify(bearer(signToken(claims({ scope: undefined }), SECRET)));
    expect(caller.scopes.size).toBe(0);
  });

  it('treats "*" in projects as all projects', async () => {
    const caller = await verifier().verify(bearer(signToken(claims({ projects: ['*'] }), SECRET)));
    expect(caller.projects).toBe('all');
  });

  it.each([
    ['missing', undefined],
    ['a string', '*'],
    ['an object', { '*': true }],
  ])('allows no project when projects is %s', async (_label, projects) => {
    const caller = await verifier().verify(bearer(signToken(claims({ projects }), SECRET)));
    expect(caller.projects).toEqual(new Set());
  });
});

describe('key selection with several key sources', () => {
  const jwksKey: JwksKeySource = { getKey: async () => p256.publicKey };

  it('sends tokens with a kid to the JWKS and tokens without one to the PEM key', async () => {
    const v = verifier({ publicKey: rsa.publicPem, jwks: { keySource: jwksKey } });
    await expect(v.verify(bearer(signToken(claims(), p256.privateKey, 'ES256', { kid: 'ec-1' })))).resolves.toBeDefined();
    await expect(v.verify(bearer(signToken(claims(), rsa.privateKey, 'RS256')))).resolves.toBeDefined();
    await expect(v.verify(bearer(signToken(claims(), SECRET)))).resolves.toBeDefined();
  });

  it('turns an unexpected key-source failure into GW.5000 without its message', async () => {
    const broken: JwksKeySource = {
      getKey: async () => {
        throw new Error('socket hang up at 10.0.0.7 with token abc');
      },
    };
    const error = await gatewayErrorOf(verifier({ secret: undefined, jwks: { keySource: broken } }).verify(bearer(signToken(claims(), rsa.privateKey, 'RS256', { kid: 'k' }))));
    expect(error.code).toBe('GW.5000');
    expect(error.message).not.toContain('10.0.0.7');
  });

  it('accepts a PEM string from the key source', async () => {
    const pemSource: JwksKeySource = { getKey: async () => rsa.publicPem };
    const v = verifier({ secret: undefined, jwks: { keySource: pemSource } });
    await expect(v.verify(bearer(signToken(claims(), rsa.privateKey, 'PS256', { kid: 'k' })))).resolves.toBeDefined();
  });
});

describe('configuration', () => {
  const base = { clockToleranceMs: 0, clock: new FakeClock(NOW_MS) };

  it('refuses to build without any key source', () => {
    expect(() => createTokenVerifier(base)).toThrow('Configure a JWT secret, a JWT public key or a JWKS URI.');
  });

  it('refuses "none" in the allow-list, in any case', () => {
    expect(() => createTokenVerifier({ ...base, secret: SECRET, algorithms: ['HS256', 'none'] })).toThrow(/never accepted/);
    expect(() => createTokenVerifier({ ...base, secret: SECRET, algorithms: ['None'] })).toThrow(/never accepted/);
  });

  it('refuses unknown algorithms and algorithms without a matching key source', () => {
    expect(() => createTokenVerifier({ ...base, secret: SECRET, algorithms: ['EdDSA'] })).toThrow(/Unsupported/);
    expect(() => createTokenVerifier({ ...base, publicKey: rsa.publicPem, algorithms: ['HS256'] })).toThrow(/shared secret/);
    expect(() => createTokenVerifier({ ...base, secret: SECRET, algorithms: ['RS256'] })).toThrow(/public key or a JWKS/);
  });

  it('refuses a PEM that is not a usable public key, and an empty secret, without quoting them', () => {
    expect(() => createTokenVerifier({ ...base, publicKey: 'not-a-pem-really' })).toThrow('The JWT public key is not a valid PEM public key.');
    expect(() => createTokenVerifier({ ...base, secret: '' })).toThrow(/secret is configured but empty/);
  });

  it('derives the allow-list from the key kind', async () => {
    const hmacOnly = createTokenVerifier({ ...base, secret: SECRET });
    const forged = craftToken({ alg: 'HS384' }, claims(), SECRET);
    expect((await gatewayErrorOf(hmacOnly.verify(bearer(forged)))).options.detail?.['en-us']).toBe('The token signing algorithm is not accepted.');
    const p256Only = createTokenVerifier({ ...base, publicKey: p256.publicPem });
    expect((await gatewayErrorOf(p256Only.verify(bearer(signToken(claims(), SECRET)))))).toMatchObject({ code: 'GW.1002' });
  });

  it('verifies hand-crafted HS256 tokens, so the crafted forgeries above are real HMACs', async () => {
    await expect(verifier().verify(bearer(craftToken({ alg: 'HS256', typ: 'JWT' }, claims(), SECRET)))).resolves.toBeDefined();
  });
});
