// Runs a schema and turns every violation into a GW.0400 problem with a JSON pointer (or the header/parameter named).
import type { z } from 'zod';
import { GatewayError, type FieldProblem } from '../errors/GatewayError';

/**
 * A 400 stays small whatever the body: at most this many problems are listed (`errors_omitted` counts the rest),
 * and no property name or message is echoed longer than the limits below.
 */
export const MAX_LISTED_PROBLEMS = 20;
export const MAX_POINTER_TOKEN_CHARS = 40;
export const MAX_MESSAGE_CHARS = 200;

/** Cut by code points, so a cut never leaves half a surrogate pair; the ellipsis says something was cut. */
const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text;
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
};

// Cut before escaping, so an escape sequence (~0, ~1) is never split.
const escapePointerToken = (token: PropertyKey): string => truncate(String(token), MAX_POINTER_TOKEN_CHARS).replace(/~/g, '~0').replace(/\//g, '~1');

export const toPointer = (path: readonly PropertyKey[]): string => path.map((t) => `/${escapePointerToken(t)}`).join('');

const problemsOf = (error: z.ZodError): FieldProblem[] =>
  error.issues.flatMap((issue): FieldProblem[] => {
    // Unknown keys come as one issue naming them all; each gets its own pointer so callers can find it.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ pointer: toPointer([...issue.path, key]), message: 'is not an allowed property' }));
    }
    return [{ pointer: toPointer(issue.path), message: issue.message }];
  });

const invalid = (problems: FieldProblem[]): GatewayError => {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => ({ ...p, message: truncate(p.message, MAX_MESSAGE_CHARS) }));
  const omitted = problems.length - listed.length;
  return new GatewayError('GW.0400', { errors: listed, ...(omitted > 0 ? { errorsOmitted: omitted } : {}) });
};

export const validateBody = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const result = schema.safeParse(body);
  if (!result.success) throw invalid(problemsOf(result.error));
  return result.data;
};

/** Validates a named path parameter or header; the problem names it instead of a body pointer. */
export const validateField = <T>(schema: z.ZodType<T>, value: unknown, where: { parameter: string } | { header: string }): T => {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(result.error.issues.map((issue) => ({ ...where, message: issue.message })));
  return result.data;
};
