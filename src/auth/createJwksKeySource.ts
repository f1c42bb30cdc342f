// JWKS-backed key source: keys by kid, cached, refetched behind a cooldown, and served stale while the host is down.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwksClient, JwksError, type SigningKey } from 'jwks-rsa';
import type { Clock } from '../clock';
import type { AuthLogger } from './AuthLogger';
import { compatibleAlgorithms } from './compatibleAlgorithms';
import { invalidToken } from './invalidToken';
import { jwksFailureReason } from './jwksFailureReason';
import type { JwksKeySource } from './JwksKeySource';
import { keysUnavailable } from './keysUnavailable';
import { withDeadline } from '../time/withDeadline';

export interface JwksKeySourceOptions {
  jwksUri: string;
  clock: Clock;
  /** How long a fetched key set counts as fresh. Default 10 minutes. */
  cacheMaxAgeMs?: number;
  /** Minimum time between two fetch attempts, whatever triggered them. Default 30 seconds. */
  cooldownMs?: number;
  /** Deadline for one whole fetch. Default 5 seconds. */
  timeoutMs?: number;
  logger?: AuthLogger;
}

interface JwksKey {
  kid?: string;
  /** When the JWK pins an algorithm, tokens must use exactly that one. */
  alg?: string;
  key: KeyObject;
}

/** jwks-rsa types `kid` and `alg` as always present, but leaves them out when the JWK has none. */
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

const toJwksKey = (signingKey: SigningKey): JwksKey => {
  const kid = text(signingKey.kid);
  const alg = text(signingKey.alg);
  return { key: createPublicKey(signingKey.getPublicKey()), ...(kid !== undefined && { kid }), ...(alg !== undefined && { alg }) };
};

const positive = (name: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`JWKS ${name} must be a positive number of milliseconds.`);
  return value;
};

const hostOf = (uri: string): string => {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error('The JWKS URI is not a valid URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('The JWKS URI must be an http(s) URL.');
  return url.host;
};

export const createJwksKeySource = (options: JwksKeySourceOptions): JwksKeySource => {
  const { jwksUri, clock, logger } = options;
  const jwksHost = hostOf(jwksUri);
  const cacheMaxAgeMs = positive('cacheMaxAgeMs', options.cacheMaxAgeMs ?? 600_000);
  const cooldownMs = positive('cooldownMs', options.cooldownMs ?? 30_000);
  const timeoutMs = positive('timeoutMs', options.timeoutMs ?? 5_000);

  // jwks-rsa's own cache and rate limit stay off: the cache age, cooldown and stale keys below are this layer's job.
  const client = new JwksClient({ jwksUri, cache: false, rateLimit: false, timeout: timeoutMs });

  /**
   * jwks-rsa also yields OKP (Ed25519/Ed448) keys, which no algorithm here verifies; dropping them keeps a
   * kid-less token's "the only key of the set" rule about keys that can actually verify it.
   */
  const fetchKeys = async (): Promise<JwksKey[]> => {
    const signingKeys = await withDeadline(() => client.getSigningKeys(), timeoutMs);
    const usable = signingKeys.map(toJwksKey).filter(({ key }) => compatibleAlgorithms(key).length > 0);
    if (usable.length === 0) throw new JwksError('The JWKS endpoint did not contain any usable signing keys');
    return usable;
  };

  let keys: readonly JwksKey[] | undefined;
  let fetchedAt = -Infinity;
  let attemptedAt = -Infinity;
  let failing = false;
  let inflight: Promise<void> | undefined;

  const mayFetch = (): boolean => clock.now() - attemptedAt >= cooldownMs;

  const fetchAndStore = async (): Promise<void> => {
    attemptedAt = clock.now();
    try {
      keys = await fetchKeys();
      fetchedAt = clock.now();
      failing = false;
    } catch (error) {
      // Keep whatever keys we had: a JWKS outage must not log every caller out. One warning per outage.
      if (!failing) {
        failing = true;
        logger?.warn({ jwksHost, reason: jwksFailureReason(error), servingStaleKeys: keys !== undefined }, 'JWKS fetch failed; keeping the last known keys');
      }
    }
  };

  /** Concurrent callers share one fetch. */
  const refresh = (): Promise<void> => {
    inflight ??= fetchAndStore().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const find = (kid: string | undefined): JwksKey | undefined => {
    if (keys === undefined) return undefined;
    if (kid === undefined) return keys.length === 1 ? keys[0] : undefined;
    return keys.find((candidate) => candidate.kid === kid);
  };

  return {
    async getKey(kid: string | undefined, alg: string): Promise<KeyObject> {
      if (inflight !== undefined) await inflight;
      const stale = keys === undefined || clock.now() - fetchedAt >= cacheMaxAgeMs;
      if (stale && mayFetch()) await refresh();
      if (keys === undefined) throw keysUnavailable();
      let found = find(kid);
      if (found === undefined && kid !== undefined && mayFetch()) {
        // A kid we have not seen may be a fresh rotation; the cooldown stops forged kids from hammering the host.
        await refresh();
        found = find(kid);
      }
      if (found === undefined) throw invalidToken('unknownKey');
      if (found.alg !== undefined && found.alg !== alg) throw invalidToken('keyMismatch');
      return found.key;
    },
  };
};
