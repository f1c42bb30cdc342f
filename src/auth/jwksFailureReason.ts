// Short fixed reasons for a failed JWKS fetch: jwks-rsa's messages can quote the host's own reason phrase, never safe to log.
import { STATUS_CODES } from 'node:http';
import { JwksError } from 'jwks-rsa';
import { DeadlineExceeded } from '../time/withDeadline';

const STATUS_BY_PHRASE = new Map(Object.entries(STATUS_CODES).map(([code, phrase]) => [phrase, code]));

/**
 * jwks-rsa reports a non-2xx answer only by its reason phrase (or `Http Error <code>` when that is empty),
 * so the code is recovered from the standard phrase; anything else the host wrote stays out of the log.
 */
const httpStatusReason = (message: string): string => {
  const code = /^Http Error (\d{3})$/.exec(message)?.[1] ?? STATUS_BY_PHRASE.get(message);
  return code === undefined ? 'answered an HTTP error' : `answered HTTP ${code}`;
};

/** By name and shape, not instanceof: Node's socket errors come from another realm than a Jest test's globals. */
const nameOf = (error: unknown): unknown => (typeof error === 'object' && error !== null && 'name' in error ? error.name : undefined);
const hasSystemCode = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string';

export const jwksFailureReason = (error: unknown): string => {
  if (error instanceof DeadlineExceeded) return 'timed out';
  // jwks-rsa marks every failure of the request itself; its other JwksErrors mean a set without signing keys.
  if (error instanceof JwksError) {
    return 'isEndpointUnavailable' in error ? httpStatusReason(error.message) : 'holds no usable signing keys';
  }
  if (nameOf(error) === 'SyntaxError') return 'answered with invalid JSON';
  // A body of the wrong shape (`null`, `keys` not an array, a `null` entry) surfaces as a TypeError inside jwks-rsa.
  if (nameOf(error) === 'TypeError') return 'not a JWKS document';
  if (hasSystemCode(error)) return 'unreachable';
  return 'failed';
};
