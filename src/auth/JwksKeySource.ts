// Where asymmetric verification keys published as a JWKS come from; tests substitute small doubles.
import type { KeyObject } from 'node:crypto';

export interface JwksKeySource {
  /**
   * The public key for a token's `kid` (and `alg`, which a key may pin).
   * Rejects with GatewayError: GW.1002 for a key the set does not hold, GW.5000 when no key set could ever be fetched.
   */
  getKey(kid: string | undefined, alg: string): Promise<KeyObject | string>;
}
