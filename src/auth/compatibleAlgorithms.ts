// Which algorithms a key can verify, so a token can never pick an algorithm its key was not made for.
import type { KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from './signingAlgorithms';

const EC_CURVE_ALGORITHM: Readonly<Record<string, SigningAlgorithm>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};

export const compatibleAlgorithms = (key: KeyObject): readonly SigningAlgorithm[] => {
  if (key.type === 'secret') return ['HS256', 'HS384', 'HS512'];
  if (key.type !== 'public') return [];
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
    case 'rsa-pss':
      return ['PS256', 'PS384', 'PS512'];
    case 'ec': {
      const alg = EC_CURVE_ALGORITHM[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg === undefined ? [] : [alg];
    }
    default:
      return [];
  }
};
