// Verifies inbound bearer JWTs against an explicit algorithm allow-list and turns their claims into a Caller.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { verify as verifyJwt } from 'jsonwebtoken';
import type { Clock } from '../clock';
import { isRecord } from '../isRecord';
import { asGatewayError } from '../errors/GatewayError';
import type { AuthLogger } from './AuthLogger';
import type { Caller } from './Caller';
import { callerFromClaims } from './callerFromClaims';
import { compatibleAlgorithms } from './compatibleAlgorithms';
import { createJwksKeySource } from './createJwksKeySource';
import { decodeJoseHeader, type JoseHeader } from './decodeJoseHeader';
import { fromJwtError } from './fromJwtError';
import { importPublicKey } from './importPublicKey';
import { invalidToken } from './invalidToken';
import type { JwksKeySource } from './JwksKeySource';
import { keysUnavailable } from './keysUnavailable';
import { parseBearerToken } from './parseBearerToken';
import { resolveAlgorithms } from './resolveAlgorithms';
import { isSigningAlgorithm, type SigningAlgorithm } from './signingAlgorithms';
import type { TokenVerifier } from './TokenVerifier';
import { VerifiedTokenCache } from './VerifiedTokenCache';

export interface TokenVerifierOptions {
  /** HS* shared secret. */
  secret?: string;
  /** PEM public key (RSA, RSA-PSS or EC P-256/P-384/P-521). */
  publicKey?: string;
  jwksUri?: string;
  /** The allow-list; derived from the configured key kinds when absent. `none` is refused. */
  algorithms?: string[];
  issuer?: string;
  audience?: string;
  clockToleranceMs: number;
  clock: Clock;
  jwks?: {
    cacheMaxAgeMs?: number;
    cooldownMs?: number;
    timeoutMs?: number;
    /** Test seam; replaces the JWKS fetched from jwksUri. */
    keySource?: JwksKeySource;
  };
  logger?: AuthLogger;
  /** Verified tokens remembered (by their full text) to skip signature checks; 0 turns it off. Default 10,000. */
  cacheEntries?: number;
}

/** A verified token is verified again at least this often, so a rotated-out key stops working within a minute. */
const VERIFIED_MAX_AGE_MS = 60_000;

const nonEmpty = (name: string, value: string | undefined): string | undefined => {
  if (value === '') throw new Error(`The JWT ${name} is configured but empty.`);
  return value;
};

const toKeyObject = (key: KeyObject | string): KeyObject => {
  if (typeof key !== 'string') return key;
  try {
    return createPublicKey(key);
  } catch {
    throw keysUnavailable();
  }
};

export const createTokenVerifier = (options: TokenVerifierOptions): TokenVerifier => {
  const { clock } = options;
  const secret = nonEmpty('secret', options.secret);
  const issuer = nonEmpty('issuer', options.issuer);
  const audience = nonEmpty('audience', options.audience);
  if (!Number.isFinite(options.clockToleranceMs) || options.clockToleranceMs < 0) {
    throw new Error('The JWT clock tolerance must be a non-negative number of milliseconds.');
  }
  const toleranceSeconds = options.clockToleranceMs / 1000;

  // A KeyObject, not a string, so jsonwebtoken never has to guess whether the secret is a PEM.
  const secretKey = secret === undefined ? undefined : createSecretKey(Buffer.from(secret, 'utf8'));
  const publicKey = options.publicKey === undefined ? undefined : importPublicKey(options.publicKey);
  const jwks =
    options.jwks?.keySource ??
    (options.jwksUri === undefined
      ? undefined
      : createJwksKeySource({
          jwksUri: options.jwksUri,
          clock,
          ...(options.jwks?.cacheMaxAgeMs !== undefined && { cacheMaxAgeMs: options.jwks.cacheMaxAgeMs }),
          ...(options.jwks?.cooldownMs !== undefined && { cooldownMs: options.jwks.cooldownMs }),
          ...(options.jwks?.timeoutMs !== undefined && { timeoutMs: options.jwks.timeoutMs }),
          ...(options.logger && { logger: options.logger }),
        }));
  if (secretKey === undefined && publicKey === undefined && jwks === undefined) {
    throw new Error('Configure a JWT secret, a JWT public key or a JWKS URI.');
  }

  const allowed = resolveAlgorithms({
    ...(options.algorithms && { configured: options.algorithms }),
    hasSecret: secretKey !== undefined,
    ...(publicKey && { publicKey }),
    hasJwks: jwks !== undefined,
  });
  const allowList: SigningAlgorithm[] = [...allowed];

  /**
   * The key follows the algorithm family, never the other way round: an HS token only ever meets the secret,
   * so a public key can never be abused as an HMAC secret. With both a PEM key and a JWKS, a `kid` selects the JWKS.
   */
  const keyFor = async (header: JoseHeader): Promise<KeyObject> => {
    if (header.alg.startsWith('HS')) {
      if (secretKey === undefined) throw invalidToken('algorithm');
      return secretKey;
    }
    if (publicKey !== undefined && (jwks === undefined || header.kid === undefined)) return publicKey;
    if (jwks === undefined) throw invalidToken('algorithm');
    return toKeyObject(await jwks.getKey(header.kid, header.alg));
  };

  const checkHeader = (header: JoseHeader): void => {
    if (header.alg.toLowerCase() === 'none') throw invalidToken('unsigned');
    if (!isSigningAlgorithm(header.alg) || !allowed.has(header.alg)) throw invalidToken('algorithm');
    if (header.hasCrit) throw invalidToken('crit');
  };

  const verifySignedClaims = (token: string, key: KeyObject, alg: string): Record<string, unknown> => {
    if (!compatibleAlgorithms(key).some((candidate) => candidate === alg)) throw invalidToken('keyMismatch');
    let payload: unknown;
    try {
      payload = verifyJwt(token, key, {
        algorithms: allowList,
        clockTimestamp: clock.now() / 1000,
        clockTolerance: toleranceSeconds,
        ...(issuer !== undefined && { issuer }),
        ...(audience !== undefined && { audience }),
      });
    } catch (error) {
      throw fromJwtError(error);
    }
    if (!isRecord(payload)) throw invalidToken('claims');
    if (payload.exp === undefined) throw invalidToken('missingExpiry');
    return payload;
  };

  const cacheEntries = options.cacheEntries ?? 10_000;
  const verified = cacheEntries > 0 ? new VerifiedTokenCache({ maxEntries: cacheEntries, maxAgeMs: VERIFIED_MAX_AGE_MS }) : undefined;
  const seconds = (claim: unknown): number | undefined => (typeof claim === 'number' ? claim * 1000 : undefined);

  return {
    async verify(authorization: string | undefined): Promise<Caller> {
      try {
        const token = parseBearerToken(authorization);
        const now = clock.now();
        const remembered = verified?.get(token, now);
        if (remembered) return remembered;
        const header = decodeJoseHeader(token);
        checkHeader(header);
        const key = await keyFor(header);
        const claims = verifySignedClaims(token, key, header.alg);
        const expiresAt = (seconds(claims.exp) ?? now) + options.clockToleranceMs;
        const caller = callerFromClaims(claims, expiresAt);
        const notBefore = (seconds(claims.nbf) ?? 0) - options.clockToleranceMs;
        verified?.set(token, caller, now, expiresAt, notBefore);
        return caller;
      } catch (error) {
        // Whatever failed, only a GatewayError built here leaves; foreign errors could quote the token.
        throw asGatewayError(error);
      }
    },
  };
};
