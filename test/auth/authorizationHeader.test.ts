// How the verifier treats the Authorization header itself: absent, foreign schemes, malformed and oversized tokens.
import fc from 'fast-check';
import { createTokenVerifier } from '../../src/auth/createTokenVerifier';
import { MAX_TOKEN_LENGTH } from '../../src/auth/parseBearerToken';
import { FakeClock } from '../support/fakeClock';
import { NOW_MS, SECRET, bearer, claims, everythingIn, gatewayErrorOf, signToken } from './tokenFixtures';

const verifier = createTokenVerifier({ secret: SECRET, clockToleranceMs: 30_000, clock: new FakeClock(NOW_MS) });

describe('the Authorization header', () => {
  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['the bare scheme', 'Bearer'],
    ['the scheme with only spaces after it', 'Bearer    '],
  ])('answers GW.1001 with WWW-Authenticate: Bearer when it is %s', async (_label, header) => {
    const error = await gatewayErrorOf(verifier.verify(header));
    expect(error.code).toBe('GW.1001');
    expect(error.status).toBe(401);
    expect(error.options.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it.each([
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['a token without a scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.sig'],
    ['a lookalike scheme', 'Bearer2 abc.def.ghi'],
  ])('answers GW.1001 for %s', async (_label, header) => {
    const error = await gatewayErrorOf(verifier.verify(header));
    expect(error.code).toBe('GW.1001');
    expect(error.options.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  it.each([
    ['not three segments', 'Bearer abc.def'],
    ['characters outside base64url', 'Bearer ab+c.def.ghi'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['a header that is not JSON', 'Bearer bm90LWpzb24.e30.c2ln'],
    ['a header without alg', `Bearer ${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.c2ln`],
    ['a header that is a JSON array', `Bearer ${Buffer.from('["HS256"]').toString('base64url')}.e30.c2ln`],
    ['a non-string kid', `Bearer ${Buffer.from('{"alg":"HS256","kid":7}').toString('base64url')}.e30.c2ln`],
  ])('answers GW.1002 with error="invalid_token" for %s', async (_label, header) => {
    const error = await gatewayErrorOf(verifier.verify(header));
    expect(error.code).toBe('GW.1002');
    expect(error.options.headers).toEqual({ 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    expect(error.options.detail?.['en-us']).toBe('The bearer token is not a well-formed JWT.');
  });

  it('rejects a token longer than the cap before decoding it', async () => {
    const padded = signToken(claims({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) }), SECRET);
    const error = await gatewayErrorOf(verifier.verify(bearer(padded)));
    expect(error.code).toBe('GW.1002');
    expect(error.options.detail?.['en-us']).toBe('The bearer token is too long.');
  });
});

describe('garbage in the Authorization header (property)', () => {
  const base64urlChunk = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
  const jsonSegment = fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url'));
  const headerSegment = fc
    .record({ alg: fc.oneof(fc.constantFrom('HS256', 'RS256', 'ES256', 'none', 'HS512', 'PS256'), fc.string()), kid: fc.option(fc.string(), { nil: undefined }), crit: fc.option(fc.array(fc.string()), { nil: undefined }) })
    .map((header) => Buffer.from(JSON.stringify(header)).toString('base64url'));
  const headers = fc.oneof(
    fc.string(),
    fc.string().map((rest) => `Bearer ${rest}`),
    fc.tuple(fc.oneof(headerSegment, jsonSegment, base64urlChunk), fc.oneof(jsonSegment, base64urlChunk), base64urlChunk)
      .map(([h, p, s]) => `Bearer ${h}.${p}.${s}`),
  );

  it('always yields GW.1001 or GW.1002, never a crash, and never echoes the token', async () => {
    await fc.assert(
      fc.asyncProperty(headers, async (header) => {
        const error = await gatewayErrorOf(verifier.verify(header));
        expect(['GW.1001', 'GW.1002']).toContain(error.code);
        const token = header.replace(/^\S*\s*/, '');
        if (token.length >= 12) expect(everythingIn(error)).not.toContain(token);
      }),
      { numRuns: 500 },
    );
  });
});
