// Loads the configured PEM public key once, refusing kinds no JWS algorithm here can verify.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { compatibleAlgorithms } from './compatibleAlgorithms';

export const importPublicKey = (pem: string): KeyObject => {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new Error('The JWT public key is not a valid PEM public key.');
  }
  if (compatibleAlgorithms(key).length === 0) {
    throw new Error('The JWT public key must be RSA, RSA-PSS or EC on P-256, P-384 or P-521.');
  }
  return key;
};
