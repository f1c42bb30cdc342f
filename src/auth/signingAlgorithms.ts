// The JWS algorithms the gateway can verify; `none` is deliberately absent so no list can ever admit it.
export const SIGNING_ALGORITHMS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
] as const;

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const isSigningAlgorithm = (value: string): value is SigningAlgorithm =>
  (SIGNING_ALGORITHMS as readonly string[]).includes(value);
