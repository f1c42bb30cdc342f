import { parseRetryAfter } from '../../src/outbound/retryAfter';
import { readErrorBody } from '../../src/outbound/readErrorBody';
import { rememberingSanitizer, sanitizeMessage } from '../../src/outbound/sanitizeMessage';

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
  it('trims to 512 characters and yields nothing for non-text or blank messages', () => {
    expect(sanitizeMessage('x'.repeat(2000))).toHaveLength(512);
    expect(sanitizeMessage(42)).toBeUndefined();
    expect(sanitizeMessage('   ')).toBeUndefined();
  });

  it.each([
    ['a JS stack frame', 'boom\n    at Object.<anonymous> (/srv/app/index.js:10:5)'],
    ['an async JS frame', 'failed at async Promise.all (index 0)'],
    ['a Java frame', 'failed\n\tat com.huawei.drs.JobService.check(JobService.java:212)'],
    ['a Java frame without source', 'failed at com.huawei.drs.Job.run(Unknown Source)'],
    ['a source file and line', 'error in handler.ts:17'],
    ['a Python location', 'File "/srv/app/main.py", line 12, in handler'],
    ['a Python traceback banner', 'Traceback (most recent call last): KeyError'],
    ['a Node library message', 'Error: connect ECONNREFUSED'],
    ['a JS error class', "TypeError: Cannot read properties of undefined (reading 'id')"],
    ['a Java exception', 'java.lang.NullPointerException'],
    ['an exception class alone', 'JobNotFoundException thrown'],
    ['a Unix path', 'cannot read /etc/drs/secrets.yaml'],
    ['a Windows path', 'cannot read C:\\drs\\conf.ini'],
    ['a Go panic', 'panic: runtime error: index out of range'],
    ['a database driver message', 'SQLSTATE[08006] connection failure'],
    ['an HTML page', '<!DOCTYPE html><html><body>500</body></html>'],
  ])('drops the whole message when it carries %s', (_name, message) => {
    expect(sanitizeMessage(message)).toBeUndefined();
  });

  it.each([
    ['an IPv4 address and port', 'backend 10.0.0.3:5432 refused', 'backend [host] refused'],
    ['a bracketed IPv6 address', 'backend [fd00::12]:5432 refused', 'backend [host] refused'],
    ['a full IPv6 address', 'backend fd00:0:0:0:0:0:0:12 refused', 'backend [host] refused'],
    ['an internal cluster name', 'call to redis-0.cache.svc failed', 'call to [host] failed'],
    ['localhost', 'call to localhost:8080 failed', 'call to [host] failed'],
    ['a URL', 'see https://wiki.corp/x?y=1 for help', 'see [url] for help'],
  ])('replaces %s', (_name, message, expected) => {
    expect(sanitizeMessage(message)).toBe(expected);
  });

  it('looks at a bounded prefix of a huge message, quickly', () => {
    const started = Date.now();
    expect(sanitizeMessage(`${'a.'.repeat(500_000)}x`)).toHaveLength(512);
    expect(sanitizeMessage(`${'x'.repeat(1_000)} at Foo (/srv/app/x.js:12:3)${'y'.repeat(1_000_000)}`)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('keeps ordinary DRS messages, times included', () => {
    for (const message of ['The parameter jobs is empty.', 'Retry at 12:30:00 (UTC).', 'Task information not found.', '请先完成连接测试。']) {
      expect(sanitizeMessage(message)).toBe(message);
    }
  });
});

describe('rememberingSanitizer', () => {
  const texts = [
    'The returned result is empty.',
    'backend 10.0.0.3:5432 refused',
    'Error: connect ECONNREFUSED',
    '   ',
    '请先完成连接测试。',
    `see https://wiki.corp/x ${'y'.repeat(600)}`,
  ];

  it('answers every text as sanitizeMessage does, the first time and when it comes again', () => {
    const sanitize = rememberingSanitizer();
    for (const round of [1, 2]) {
      for (const text of texts) expect([round, sanitize(text)]).toEqual([round, sanitizeMessage(text)]);
    }
  });

  it('scrubs a repeated text once, a dropped one included', () => {
    const scrub = jest.fn(sanitizeMessage);
    const sanitize = rememberingSanitizer(scrub);
    for (let i = 0; i < 3; i += 1) {
      expect(sanitize('The returned result is empty.')).toBe('The returned result is empty.');
      expect(sanitize('Error: connect ECONNREFUSED')).toBeUndefined();
    }
    expect(scrub).toHaveBeenCalledTimes(2);
  });

  it('keeps the 128 most recent texts and never one over 512 characters, so a stream of new texts costs what it did', () => {
    const scrub = jest.fn(sanitizeMessage);
    const sanitize = rememberingSanitizer(scrub);
    for (let i = 0; i <= 128; i += 1) sanitize(`message ${i}`);
    sanitize('message 128');
    expect(scrub).toHaveBeenCalledTimes(129);
    sanitize('message 0');
    expect(scrub).toHaveBeenCalledTimes(130);
    const long = 'z'.repeat(513);
    sanitize(long);
    sanitize(long);
    expect(scrub).toHaveBeenCalledTimes(132);
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
