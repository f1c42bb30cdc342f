// No failure may carry the bearer token or the HS secret into an error message, its details or a log line.
import { createTokenVerifier } from '../../src/auth/createTokenVerifier';
import { FakeClock } from '../support/fakeClock';
import { AUDIENCE, ISSUER, NOW_MS, NOW_S, SECRET, bearer, claims, craftToken, everythingIn, gatewayErrorOf, signToken } from './tokenFixtures';

describe('secrecy of tokens and secrets', () => {
  const warnings: string[] = [];
  const verifier = createTokenVerifier({
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceMs: 0,
    clock: new FakeClock(NOW_MS),
    logger: { warn: (obj, msg) => warnings.push(JSON.stringify(obj) + msg) },
  });

  const badTokens: Array<[string, string]> = [
    ['wrong signature', signToken(claims(), 'not-the-secret-at-all-0123456789abcdef')],
    ['expired', signToken(claims({ exp: NOW_S - 1 }), SECRET)],
    ['not yet valid', signToken(claims({ nbf: NOW_S + 100 }), SECRET)],
    ['wrong issuer', signToken(claims({ iss: 'x' }), SECRET)],
    ['wrong audience', signToken(claims({ aud: 'x' }), SECRET)],
    ['missing sub', signToken(claims({ sub: undefined }), SECRET)],
    ['crit', craftToken({ alg: 'HS256', crit: ['x'] }, claims(), SECRET)],
    ['alg none', craftToken({ alg: 'none' }, claims())],
    ['disallowed alg', signToken(claims(), SECRET, 'HS384')],
    ['garbage payload', `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('not json at all').toString('base64url')}.c2lnbmF0dXJl`],
    ['header that is not JSON', `${Buffer.from('{"alg":"HS256", secret-ish').toString('base64url')}.e30.c2lnbmF0dXJl`],
  ];

  it.each(badTokens)('keeps the token and the secret out of the error for: %s', async (_label, token) => {
    const error = await gatewayErrorOf(verifier.verify(bearer(token)));
    const everything = everythingIn(error);
    for (const part of [token, ...token.split('.').filter((segment) => segment.length > 8), SECRET]) {
      expect(everything).not.toContain(part);
    }
    expect(error.cause).toBeUndefined();
  });

  it('logs nothing while verifying tokens', () => {
    expect(warnings).toEqual([]);
  });
});
