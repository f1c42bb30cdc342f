// Maps a jsonwebtoken failure to GW.1002/GW.1003 with a specific reason, never carrying its message or cause along.
import { JsonWebTokenError, NotBeforeError, TokenExpiredError } from 'jsonwebtoken';
import { GatewayError } from '../errors/GatewayError';
import { invalidToken, type InvalidTokenReason } from './invalidToken';

const expired = (): GatewayError =>
  new GatewayError('GW.1003', {
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token expired"' },
  });

/** jsonwebtoken reports most failures only through its messages; these prefixes are stable across 9.x. */
const JWT_MESSAGE_REASONS: ReadonlyArray<readonly [string, InvalidTokenReason]> = [
  ['invalid signature', 'signature'],
  ['jwt signature is required', 'signature'],
  ['jwt audience invalid', 'audience'],
  ['jwt issuer invalid', 'issuer'],
  ['invalid algorithm', 'algorithm'],
  ['secretOrPublicKey must be', 'keyMismatch'],
  ['invalid nbf value', 'claims'],
  ['invalid exp value', 'claims'],
  ['jwt malformed', 'malformed'],
  ['invalid token', 'malformed'],
];

export const fromJwtError = (error: unknown): GatewayError => {
  if (error instanceof TokenExpiredError) return expired();
  if (error instanceof NotBeforeError) return invalidToken('notYetValid');
  if (error instanceof JsonWebTokenError) {
    const match = JWT_MESSAGE_REASONS.find(([prefix]) => error.message.startsWith(prefix));
    return invalidToken(match?.[1] ?? 'invalid');
  }
  // Anything else comes from the signature primitives (e.g. an ECDSA signature of the wrong length).
  return invalidToken('signature');
};
