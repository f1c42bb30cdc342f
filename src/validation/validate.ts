// Runs a schema and turns every violation into a GW.0400 problem with a JSON pointer (or the header/parameter named).
import type { z } from 'zod';
import { GatewayError, type FieldProblem } from '../errors/GatewayError';

const escapePointerToken = (token: PropertyKey): string => String(token).replace(/~/g, '~0').replace(/\//g, '~1');

export const toPointer = (path: readonly PropertyKey[]): string => path.map((t) => `/${escapePointerToken(t)}`).join('');

const problemsOf = (error: z.ZodError): FieldProblem[] =>
  error.issues.flatMap((issue): FieldProblem[] => {
    // Unknown keys come as one issue naming them all; each gets its own pointer so callers can find it.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ pointer: toPointer([...issue.path, key]), message: 'is not an allowed property' }));
    }
    return [{ pointer: toPointer(issue.path), message: issue.message }];
  });

export const validateBody = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const result = schema.safeParse(body);
  if (!result.success) throw new GatewayError('GW.0400', { errors: problemsOf(result.error) });
  return result.data;
};

/** Validates a named path parameter or header; the problem names it instead of a body pointer. */
export const validateField = <T>(schema: z.ZodType<T>, value: unknown, where: { parameter: string } | { header: string }): T => {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new GatewayError('GW.0400', { errors: result.error.issues.map((issue) => ({ ...where, message: issue.message })) });
  }
  return result.data;
};
