// Source of the 32-hex request IDs that APIG stamps on every response.
import { randomBytes } from 'node:crypto';

/** In fast mode IDs are a random per-instance prefix plus a counter: unique, and no entropy drawn per request. */
export const createRequestIds = (fast: boolean): (() => string) => {
  if (!fast) return () => randomBytes(16).toString('hex');
  const prefix = randomBytes(8).toString('hex');
  let counter = 0;
  return () => {
    counter += 1;
    return prefix + counter.toString(16).padStart(16, '0');
  };
};
