// The seam the HTTP layer authenticates through: an Authorization header in, a Caller or a GatewayError out.
import type { Caller } from './Caller';

export interface TokenVerifier {
  /** Rejects only with GatewayError (GW.1001, GW.1002, GW.1003, or GW.5000 when no verification key can be obtained). */
  verify(authorization: string | undefined): Promise<Caller>;
}
