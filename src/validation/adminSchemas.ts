// The admin usage routes' parameters: a caller's sub in the path, and the counts the queries ask for.
import { z } from 'zod';

export const MAX_TOP_CALLERS = 100;
export const DEFAULT_TOP_CALLERS = 20;
export const MAX_EVENTS_LIMIT = 500;
export const DEFAULT_EVENTS_LIMIT = 100;

/**
 * What the router could decode of the path segment: undefined when it is not valid percent-encoded UTF-8. A blank
 * sub cannot be a caller, since the token verifier refuses one.
 */
export const subSchema = z
  .string({ error: 'must be percent-encoded UTF-8' })
  .refine((sub) => sub.trim() !== '', 'must not be blank');

/** A query count from 1 to `max`, `fallback` when absent; a repeated parameter (an array) is refused like any other. */
const countQuery = (max: number, fallback: number) => {
  const message = `must be a whole number from 1 to ${max}`;
  return z
    .string({ error: message })
    .regex(/^[0-9]{1,6}$/, message)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, message)
    .optional()
    .transform((n) => n ?? fallback);
};

export const topCallersQuerySchema = countQuery(MAX_TOP_CALLERS, DEFAULT_TOP_CALLERS);
export const eventsLimitQuerySchema = countQuery(MAX_EVENTS_LIMIT, DEFAULT_EVENTS_LIMIT);
