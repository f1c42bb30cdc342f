// Reads the JOSE header we route on (alg, kid, crit) before any key is chosen; it is untrusted until verified.
import { isRecord } from '../isRecord';
import { invalidToken } from './invalidToken';

export interface JoseHeader {
  alg: string;
  kid?: string;
  hasCrit: boolean;
}

/** Expects a token that already passed the compact-JWS shape check. */
export const decodeJoseHeader = (token: string): JoseHeader => {
  const encoded = token.slice(0, token.indexOf('.'));
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    // The parser's message quotes the input, so it must not travel further.
    throw invalidToken('malformed');
  }
  if (!isRecord(header) || typeof header.alg !== 'string') throw invalidToken('malformed');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw invalidToken('malformed');
  return {
    alg: header.alg,
    ...(header.kid !== undefined && { kid: header.kid }),
    hasCrit: 'crit' in header,
  };
};
