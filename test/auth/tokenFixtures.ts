// Real keys and real signed tokens for the auth tests; nothing here is mocked.
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { sign, type Algorithm, type JwtHeader } from 'jsonwebtoken';
import { GatewayError } from '../../src/errors/GatewayError';

export const NOW_MS = Date.UTC(2030, 0, 2, 3, 4, 5);
export const NOW_S = Math.floor(NOW_MS / 1000);
export const SECRET = 'test-hs256-secret-that-is-long-enough-0123456789';
export const ISSUER = 'https://idp.example.test/';
export const AUDIENCE = 'drs-precheck-gateway';

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
  publicPem: string;
}

const pair = ({ publicKey, privateKey }: { publicKey: KeyObject; privateKey: KeyObject }): KeyPair => ({
  publicKey,
  privateKey,
  publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
});

export const rsaKeyPair = (): KeyPair => pair(generateKeyPairSync('rsa', { modulusLength: 2048 }));
export const ecKeyPair = (namedCurve: 'P-256' | 'P-384' | 'P-521'): KeyPair => pair(generateKeyPairSync('ec', { namedCurve }));

export const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'svc-batch-runner',
  scope: 'drs:precheck',
  projects: ['054ba152d480d55b2f5dc0069e7ddef0'],
  iss: ISSUER,
  aud: AUDIENCE,
  iat: NOW_S - 10,
  exp: NOW_S + 300,
  ...overrides,
});

export const claimsWithout = (...names: string[]): Record<string, unknown> =>
  Object.fromEntries(Object.entries(claims()).filter(([name]) => !names.includes(name)));

export const signToken = (
  payload: Record<string, unknown>,
  key: string | KeyObject,
  algorithm: Algorithm = 'HS256',
  header: Partial<JwtHeader> = {},
): string => sign(payload, key, { algorithm, header: { alg: algorithm, ...header } });

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a token by hand, for the shapes jsonwebtoken refuses to produce. */
export const craftToken = (header: Record<string, unknown>, payload: Record<string, unknown>, hmacSecret?: string): string => {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const signature = hmacSecret === undefined ? '' : createHmac('sha256', hmacSecret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
};

export const bearer = (token: string): string => `Bearer ${token}`;

/** Awaits a rejection and hands back the GatewayError, failing the test for anything else. */
export const gatewayErrorOf = async (promise: Promise<unknown>): Promise<GatewayError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw new Error(`expected a GatewayError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection, but the promise resolved');
};

/** Everything about an error that could end up in a response or a log line. */
export const everythingIn = (error: GatewayError): string =>
  [error.message, error.stack ?? '', JSON.stringify(error.options), String(error.cause ?? '')].join('\n');
