// Builds the algorithm allow-list from configuration, or derives it from the configured key kinds.
import type { KeyObject } from 'node:crypto';
import { compatibleAlgorithms } from './compatibleAlgorithms';
import { isSigningAlgorithm, type SigningAlgorithm } from './signingAlgorithms';

export interface AlgorithmSources {
  configured?: readonly string[];
  hasSecret: boolean;
  publicKey?: KeyObject;
  hasJwks: boolean;
}

const JWKS_DEFAULTS: readonly SigningAlgorithm[] = ['RS256', 'PS256', 'ES256'];

const isHmac = (alg: string): boolean => alg.startsWith('HS');

/** SHA-256 variants unless the key mandates another hash (P-384 and P-521 curves do). */
const publicKeyDefaults = (key: KeyObject): readonly SigningAlgorithm[] => {
  const compatible = compatibleAlgorithms(key);
  const sha256 = compatible.filter((alg) => alg.endsWith('256'));
  return sha256.length > 0 ? sha256 : compatible;
};

const validateConfigured = (configured: readonly string[], sources: AlgorithmSources): Set<SigningAlgorithm> => {
  if (configured.length === 0) throw new Error('The JWT algorithm allow-list is empty.');
  const allowed = new Set<SigningAlgorithm>();
  for (const raw of configured) {
    const alg = raw.trim();
    if (alg.toLowerCase() === 'none') throw new Error('The JWT algorithm "none" is never accepted.');
    if (!isSigningAlgorithm(alg)) throw new Error(`Unsupported JWT algorithm "${alg}"; use one of HS/RS/PS/ES 256/384/512.`);
    if (isHmac(alg) && !sources.hasSecret) throw new Error(`JWT algorithm ${alg} needs a shared secret, and none is configured.`);
    if (!isHmac(alg) && sources.publicKey === undefined && !sources.hasJwks) {
      throw new Error(`JWT algorithm ${alg} needs a public key or a JWKS URI, and neither is configured.`);
    }
    allowed.add(alg);
  }
  return allowed;
};

export const resolveAlgorithms = (sources: AlgorithmSources): ReadonlySet<SigningAlgorithm> => {
  if (sources.configured !== undefined) return validateConfigured(sources.configured, sources);
  const allowed = new Set<SigningAlgorithm>();
  if (sources.hasSecret) allowed.add('HS256');
  if (sources.publicKey !== undefined) publicKeyDefaults(sources.publicKey).forEach((alg) => allowed.add(alg));
  if (sources.hasJwks) JWKS_DEFAULTS.forEach((alg) => allowed.add(alg));
  return allowed;
};
