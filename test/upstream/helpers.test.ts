import { parseRetryAfter } from '../../src/upstream/retryAfter';
import { readErrorBody } from '../../src/upstream/readErrorBody';
import { sanitizeMessage } from '../../src/upstream/sanitizeMessage';
import { childTraceparent } from '../../src/upstream/traceparent';

describe('readErrorBody reads every error shape DRS, APIG and IAM use', () => {
  it.each([
    [{ error_code: 'IAM.0062', error_msg: 'Incorrect password.' }, 'IAM.0062', 'Incorrect password.'],
    [{ errorCode: 'DRS.M00201', errorMsg: 'The parameter jobs is empty.' }, 'DRS.M00201', 'The parameter jobs is empty.'],
    [{ error: { code: 'IAM.0001', message: 'The request you have made requires authentication.' } }, 'IAM.0001', 'The request you have made requires authentication.'],
    [{ error: { code: 401, title: 'Unauthorized', message: 'Unauthorized.' } }, '401', 'Unauthorized.'],
    [{ error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information: x-auth-token not found', request_id: 'abc' }, 'APIG.0301', expect.stringContaining('x-auth-token not found')],
  ])('%j', (body, code, message) => {
    expect(readErrorBody(body)).toEqual({ code, message });
  });

  it('yields nothing for bodies that are not error objects', () => {
    for (const body of [undefined, null, 'text', [1], { error_code: '<script>' }]) expect(readErrorBody(body).code).toBeUndefined();
  });
});

describe('sanitizeMessage', () => {
  it('trims to 512 characters and drops stack frames', () => {
    expect(sanitizeMessage('x'.repeat(2000))).toHaveLength(512);
    expect(sanitizeMessage('boom\n    at Object.<anonymous> (/srv/app/index.js:10:5)')).toBe('boom');
    expect(sanitizeMessage(42)).toBeUndefined();
    expect(sanitizeMessage('   ')).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 10, 28);
  it('reads seconds and HTTP dates, bounded to 1..3600', () => {
    expect(parseRetryAfter('7', now)).toBe(7);
    expect(parseRetryAfter('0', now)).toBe(1);
    expect(parseRetryAfter('999999', now)).toBe(3600);
    expect(parseRetryAfter(new Date(now + 12_000).toUTCString(), now)).toBe(12);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('childTraceparent', () => {
  it('keeps the trace id and flags with a new parent id', () => {
    const child = childTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(child).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(child).not.toContain('00f067aa0ba902b7');
  });

  it('drops invalid headers', () => {
    for (const h of [undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01']) {
      expect(childTraceparent(h)).toBeUndefined();
    }
  });
});
