// Which JWKS entries the jwks-rsa-backed key source keeps, and the fixed reasons it logs when a fetch fails.
import { generateKeyPairSync } from 'node:crypto';
import { createJwksKeySource } from '../../src/auth/createJwksKeySource';
import type { JwksKeySource } from '../../src/auth/JwksKeySource';
import { jwk, startJwksServer, type JwksMode, type JwksServer } from './jwksServer';
import { FakeClock } from '../support/fakeClock';
import { NOW_MS, gatewayErrorOf } from './tokenFixtures';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');

let server: JwksServer;
let warnings: Array<Record<string, unknown>>;

const keySource = (timeoutMs = 1_000): JwksKeySource =>
  createJwksKeySource({ jwksUri: server.url, clock: new FakeClock(NOW_MS), timeoutMs, logger: { warn: (obj) => warnings.push({ ...obj }) } });

const unknownKid = async (source: JwksKeySource, kid: string | undefined): Promise<string | undefined> =>
  (await gatewayErrorOf(source.getKey(kid, 'RS256'))).options.detail?.['en-us'];

beforeAll(async () => {
  server = await startJwksServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  warnings = [];
});

describe('entries of the key set', () => {
  it('keeps RSA and EC signing keys and skips encryption, private, symmetric, Ed25519 and broken entries', async () => {
    server.reset([
      jwk(rsa.publicKey, { kid: 'enc', use: 'enc' }),
      { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'private' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' },
      jwk(ed.publicKey, { kid: 'okp' }),
      { kty: 'RSA', n: 'AQAB', kid: 'broken' },
      jwk(rsa.publicKey, { kid: 'rsa' }),
      jwk(ec.publicKey, { kid: 'ec' }),
    ]);
    const source = keySource();
    await expect(source.getKey('rsa', 'RS256')).resolves.toMatchObject({ type: 'public', asymmetricKeyType: 'rsa' });
    await expect(source.getKey('ec', 'ES256')).resolves.toMatchObject({ type: 'public', asymmetricKeyType: 'ec' });
    for (const kid of ['enc', 'private', 'oct', 'okp', 'broken']) {
      expect(await unknownKid(source, kid)).toBe('The token signing key is not known.');
    }
    expect(server.hits()).toBe(1);
  });

  it('serves a key without a kid only to kid-less tokens, not counting keys no algorithm here can verify', async () => {
    server.reset([jwk(rsa.publicKey, {}), jwk(ed.publicKey, { kid: 'okp' })]);
    const source = keySource();
    await expect(source.getKey(undefined, 'RS256')).resolves.toMatchObject({ asymmetricKeyType: 'rsa' });
    expect(await unknownKid(source, 'anything')).toBe('The token signing key is not known.');
  });
});

describe('failure reasons', () => {
  const cases: Array<[JwksMode | readonly object[], string]> = [
    ['redirect', 'answered HTTP 302'],
    ['oddReason', 'answered an HTTP error'],
    ['invalidJson', 'answered with invalid JSON'],
    ['nullBody', 'not a JWKS document'],
    [[], 'holds no usable signing keys'],
    [[jwk(ed.publicKey, { kid: 'okp' })], 'holds no usable signing keys'],
  ];

  it.each(cases)('logs a fixed reason for %j: %s', async (answer, reason) => {
    if (typeof answer === 'string') {
      server.reset([]);
      server.setMode(answer);
    } else {
      server.reset(answer);
    }
    expect((await gatewayErrorOf(keySource().getKey('kid', 'RS256'))).code).toBe('GW.5000');
    expect(warnings).toEqual([{ jwksHost: new URL(server.url).host, reason, servingStaleKeys: false }]);
    // Not following the redirect: the second request would have landed on this same server.
    expect(server.hits()).toBe(1);
  });

  it('ends a fetch that keeps trickling bytes at the whole-fetch deadline, which a socket idle timeout never reaches', async () => {
    server.reset([]);
    server.setMode('trickle');
    const started = Date.now();
    expect((await gatewayErrorOf(keySource(300).getKey('kid', 'RS256'))).code).toBe('GW.5000');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(warnings[0]).toMatchObject({ reason: 'timed out' });
  });
});
