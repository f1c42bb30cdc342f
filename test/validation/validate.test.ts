import { z } from 'zod';
import { GatewayError } from '../../src/errors/GatewayError';
import { MAX_POINTER_TOKEN_CHARS, toPointer, validateBody, validateField } from '../../src/validation/validate';

const refusal = (run: () => unknown): GatewayError => {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
};

describe('validation problems stay small', () => {
  it('cuts a long pointer token by code points, never inside a surrogate pair or an escape', () => {
    const emoji = '😀'.repeat(100);
    const [token] = toPointer([emoji]).slice(1).split('/');
    expect([...(token as string)]).toHaveLength(MAX_POINTER_TOKEN_CHARS);
    expect(token).toBe(`${'😀'.repeat(MAX_POINTER_TOKEN_CHARS - 1)}…`);
    expect(toPointer(['~'.repeat(100)])).toBe(`/${'~0'.repeat(MAX_POINTER_TOKEN_CHARS - 1)}…`);
    expect(toPointer(['short/name~'])).toBe('/short~1name~0');
  });

  it('cuts a long message with an ellipsis', () => {
    const error = refusal(() => validateBody(z.string().refine(() => false, 'm'.repeat(1000)), 'x'));
    expect(error.options.errors?.[0]?.message).toBe(`${'m'.repeat(199)}…`);
  });

  it('lists at most 20 header or parameter problems and counts the rest', () => {
    const many = z.string().superRefine((_v, ctx) => {
      for (let i = 0; i < 45; i += 1) ctx.addIssue({ code: 'custom', message: `problem ${i}` });
    });
    const error = refusal(() => validateField(many, 'x', { parameter: 'jobs' }));
    expect(error.options.errors).toHaveLength(20);
    expect(error.options.errorsOmitted).toBe(25);
  });
});
