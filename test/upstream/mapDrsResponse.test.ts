import { rememberingSanitizer, sanitizeMessage } from '../../src/outbound/sanitizeMessage';
import { mapDrsResponse, type DrsAnswer } from '../../src/upstream/mapDrsResponse';

const NOW = Date.UTC(2026, 10, 28);
const answer = (status: number, body: unknown, extra: Partial<DrsAnswer> = {}): DrsAnswer => ({
  status,
  bodyText: typeof body === 'string' ? body : JSON.stringify(body),
  retryAfterHeader: undefined,
  language: 'en-us',
  now: NOW,
  ...extra,
});

const errorOf = (a: DrsAnswer) => {
  const outcome = mapDrsResponse(a);
  if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.kind}`);
  return outcome;
};

describe('mapDrsResponse: the table from DRS answers to gateway outcomes', () => {
  it('passes a 200 batch body through, failed items keeping their codes', () => {
    const body = { results: [{ id: 'a', status: 'failed', error_code: 'DRS.M00304', error_msg: 'This API cannot be called in the current task status.' }], count: 1 };
    expect(mapDrsResponse(answer(200, body))).toEqual({ kind: 'ok', body, text: JSON.stringify(body) });
  });

  it('sends DRS its own bytes back when nothing was filled in', () => {
    const text = '{"results": [ {"id":"a","status":"success"} ], "count": 1, "extra":"kept"}';
    expect(mapDrsResponse(answer(200, text))).toMatchObject({ kind: 'ok', text });
  });

  it('fills error_code and error_msg of a failed item that lacks them, in the caller language', () => {
    const outcome = mapDrsResponse(answer(200, { results: [{ id: 'a', status: 'failed' }, { id: 'b', status: 'success' }], count: 2 }, { language: 'zh-cn' }));
    const filled = { results: [{ id: 'a', status: 'failed', error_code: 'GW.3004', error_msg: 'DRS 返回了无效的响应，或请求发出后连接中断。' }, { id: 'b', status: 'success' }], count: 2 };
    expect(outcome).toEqual({ kind: 'ok', body: filled, text: JSON.stringify(filled) });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'hosts, URLs and tokens replaced',
      { error_code: 'DRS.M00304', error_msg: 'Job busy on https://drs-internal.example.com/v3/jobs?token=abc, node 10.1.2.3:8443, token MIIabcdefghijklmnopqrstuvwxyz' },
      { error_code: 'DRS.M00304', error_msg: 'Job busy on [url] node [host], token [token]' },
    ],
    ['a stack frame: dropped for the text DRS.PASSTHROUGH gives a 4xx', { error_code: 'DRS.M00202', error_msg: 'Invalid jobs.\n    at JobController.check (/srv/app/jobs.js:88:13)' }, { error_code: 'DRS.M00202', error_msg: 'DRS rejected the request.' }],
    [
      'an ill-formed code and an exception: GW.3004 and its text',
      { error_code: 'java.lang.NullPointerException: at com.huawei.Job', error_msg: 'java.lang.NullPointerException' },
      { error_code: 'GW.3004', error_msg: 'DRS answered with something that is not a valid response, or the connection was lost after the request was sent.' },
    ],
  ])('scrubs a failed item as a 4xx message is scrubbed: %s', (_name, drsFields, passedFields) => {
    const outcome = mapDrsResponse(answer(200, { results: [{ id: 'a', status: 'failed', ...drsFields }, { id: 'b', status: 'success' }], count: 2 }));
    const passed = { results: [{ id: 'a', status: 'failed', ...passedFields }, { id: 'b', status: 'success' }], count: 2 };
    expect(outcome).toEqual({ kind: 'ok', body: passed, text: JSON.stringify(passed) });
  });

  it('scrubs item messages with the sanitizer it is given: a remembering one gives the same answers, scrubbing each text once', () => {
    const items = [
      { id: 'a', status: 'failed', error_code: 'DRS.M00304', error_msg: 'Job busy on node 10.1.2.3:8443' },
      { id: 'b', status: 'failed', error_code: 'DRS.M00202', error_msg: 'Invalid jobs.\n    at JobController.check (/srv/app/jobs.js:88:13)' },
    ];
    const drs = answer(200, { results: items, count: 2 });
    const scrub = jest.fn(sanitizeMessage);
    const sanitize = rememberingSanitizer(scrub);
    const expected = mapDrsResponse(drs);
    expect(mapDrsResponse(drs, sanitize)).toEqual(expected);
    expect(mapDrsResponse(drs, sanitize)).toEqual(expected);
    expect(scrub.mock.calls).toEqual([[items[0]?.error_msg], [items[1]?.error_msg]]);
  });

  it("keeps a report's empty error_code and error_msg (no error yet) and the bytes of an answer with nothing to scrub", () => {
    const text = '{"results":[{"precheck_id":"a","process":"40%","error_code":"","error_msg":""},{"precheck_id":"b","error_code":"DRS.M05003","error_msg":"Task information not found."}],"count":2}';
    expect(mapDrsResponse(answer(200, text))).toMatchObject({ kind: 'ok', text });
  });

  it.each([
    ['invalid JSON', '{"results": ['],
    ['no results', { count: 1 }],
    ['no count', { results: [] }],
    ['results not objects', { results: [1], count: 1 }],
    ['an HTML page', '<html><body>ok</body></html>'],
    ['an empty body', ''],
  ])('treats a 2xx with %s as GW.3004', (_name, body) => {
    const outcome = errorOf(answer(200, body));
    expect(outcome.error.code).toBe('GW.3004');
    expect(outcome.error.status).toBe(502);
    expect(outcome.upstreamFault).toBe(true);
  });

  it.each([
    [401, { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information: decrypt token fail' }],
    [401, { error_code: 'APIGW.0307', error_msg: 'The token must be updated.' }],
    [401, 'Unauthorized'],
    [403, { error_code: 'APIG.0307', error_msg: 'The token must be updated.' }],
  ])('asks for a fresh token on %s %j', (status, body) => {
    expect(mapDrsResponse(answer(status, body))).toMatchObject({ kind: 'reauth', upstream: { status } });
  });

  it.each([
    [429, { error_code: 'APIG.0308', error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second' }, '7', 7],
    [429, 'Too Many Requests', undefined, 5],
    [400, { error_code: 'DRS.M01503', error_msg: 'Operation too frequent. Try again later.' }, undefined, 5],
    [429, { error_code: 'APIGW.0308' }, 'Sat, 28 Nov 2026 00:00:30 GMT', 30],
  ])('maps throttling (%s) to 429 GW.3008 with Retry-After', (status, body, retryAfterHeader, seconds) => {
    const { error, upstreamFault } = errorOf(answer(status, body, { retryAfterHeader }));
    expect(error.code).toBe('GW.3008');
    expect(error.status).toBe(429);
    expect(error.options.retryAfterSeconds).toBe(seconds);
    expect(upstreamFault).toBe(false);
  });

  it('keeps the status and DRS code of a 4xx that is the caller doing', () => {
    const { error } = errorOf(answer(400, { error_code: 'DRS.M05003', error_msg: 'Task information not found.' }));
    expect(error.status).toBe(400);
    expect(error.publicCode).toBe('DRS.M05003');
    expect(error.options.upstream).toEqual({ status: 400, error_code: 'DRS.M05003', error_msg: 'Task information not found.' });
    expect(error.options.upstreamMessage).toBe('Task information not found.');
  });

  it('maps 5xx in any shape to GW.3005 and counts it against the breaker', () => {
    for (const body of ['<html><h1>502 Bad Gateway</h1></html>', { error_code: 'DRS.M00004', error_msg: 'Service is abnormal.' }, '']) {
      const outcome = errorOf(answer(503, body));
      expect(outcome.error.code).toBe('GW.3005');
      expect(outcome.upstreamFault).toBe(true);
    }
  });

  it('maps an APIG permission refusal to GW.3003 and any other 4xx or 3xx to GW.3004', () => {
    expect(errorOf(answer(403, { error_code: 'APIG.0302', error_msg: 'The IAM user is not authorized to access the API.' })).error.code).toBe('GW.3003');
    expect(errorOf(answer(404, { error_code: 'APIGW.0101', error_msg: 'The API does not exist' })).error.code).toBe('GW.3004');
    expect(errorOf(answer(302, '')).error.code).toBe('GW.3004');
    expect(errorOf(answer(418, '<html>teapot</html>')).error.code).toBe('GW.3004');
  });

  it('scrubs hosts, URLs and tokens out of passed-through DRS messages', () => {
    const { error } = errorOf(
      answer(400, { error_code: 'DRS.M00202', error_msg: 'bad value at https://drs.cn-north-4.myhuaweicloud.com/v3/x token=MIIatAYJKoZIhvcNAQcCoIIapTCCGqECAQExDTALBglghkgBZQMEAgEwghjiBgkqhkiG from 10.1.2.3:8080' }),
    );
    const text = JSON.stringify(error.options);
    expect(text).not.toMatch(/myhuaweicloud|MIIatAY|10\.1\.2\.3/);
    expect(error.options.upstreamMessage).toContain('bad value');
  });
});

/** What internals look like when a DRS backend or its front crashes; none of it may reach a caller. */
const LEAKS = /at Foo|\/srv\/app|x\.js|:12:3|ECONNREFUSED|10\.0\.0\.3|5432|java\.lang|NullPointer|TypeError|Traceback|\.py|db-master|redis-0|<html|nginx|goroutine|SQLSTATE|pg-primary/;

describe('mapDrsResponse: a DRS 5xx never passes its text on', () => {
  it.each<[string, unknown, string | undefined]>([
    ['a JS stack in error_msg', { error_code: 'DRS.M00004', error_msg: 'Service is abnormal.\n    at Foo (/srv/app/x.js:12:3)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)' }, 'DRS.M00004'],
    ['a library message with an internal address', { error_code: 'DRS.M00004', error_msg: 'Error: connect ECONNREFUSED 10.0.0.3:5432' }, 'DRS.M00004'],
    ['a Java exception', { error_code: 'DRS.M00004', error_msg: 'java.lang.NullPointerException: null' }, 'DRS.M00004'],
    ['a harmless-looking message', { error_code: 'DRS.M00004', error_msg: 'Service is abnormal. Check logs.' }, 'DRS.M00004'],
    ['an internal host name in the message', { error_code: 'APIGW.0601', error_msg: 'upstream db-master-01.prod.svc:3306 reset' }, 'APIGW.0601'],
    ['a code that is not of a documented shape', { error_code: 'TypeError', error_msg: 'Cannot read properties of undefined' }, undefined],
    ['a code naming an internal module', { error_code: 'redis-0.cache.internal', error_msg: 'down' }, undefined],
    ['a DRS code with a suffix', { error_code: 'DRS.M00004.pg-primary', error_msg: 'x' }, undefined],
    ['a Python traceback as text', 'Traceback (most recent call last):\n  File "/srv/app/main.py", line 12, in handler\nKeyError: job', undefined],
    ['an HTML error page', '<html><head><title>500</title></head><body><center>nginx</center><pre>at Foo (/srv/app/x.js:12:3)</pre></body></html>', undefined],
    ['a Go panic', 'panic: runtime error\ngoroutine 1 [running]:\nmain.go:42', undefined],
    ['nested error shape with SQL', { error: { code: 'DRS.M00004', message: 'SQLSTATE 08006 could not connect to server pg-primary' } }, 'DRS.M00004'],
  ])('%s: GW.3005 with upstream.status and at most a well-formed code', (_name, body, code) => {
    const { error, upstreamFault } = errorOf(answer(500, body));
    expect(error.code).toBe('GW.3005');
    expect(upstreamFault).toBe(true);
    expect(error.options.upstream).toEqual(code === undefined ? { status: 500 } : { status: 500, error_code: code });
    expect(error.options.upstreamMessage).toBeUndefined();
    expect(JSON.stringify(error.options)).not.toMatch(LEAKS);
  });

  it('keeps a 5xx message out even when the code is a throttle or token code', () => {
    const throttled = errorOf(answer(503, { error_code: 'APIG.0308', error_msg: 'limit reached on apig-node-7.intra:8443 at Foo (/srv/app/x.js:12:3)' }));
    expect(throttled.error.code).toBe('GW.3008');
    expect(throttled.error.options.upstream).toEqual({ status: 503, error_code: 'APIG.0308' });
    const reauth = mapDrsResponse(answer(500, { error_code: 'APIG.0301', error_msg: 'Error: connect ECONNREFUSED 10.0.0.3:5432' }));
    expect(reauth).toEqual({ kind: 'reauth', upstream: { status: 500, error_code: 'APIG.0301' } });
  });
});

describe('mapDrsResponse: a DRS 4xx message with internals in it is replaced by the catalogue text', () => {
  it.each([
    ['a stack frame', 'Invalid parameter.\n    at JobController.check (/srv/app/jobs.js:88:13)'],
    ['a library message', 'Error: connect ECONNREFUSED 10.0.0.3:5432'],
    ['a Java exception', 'java.lang.NullPointerException'],
    ['a source location', 'failed in JobService.java:212'],
    ['a Unix path', 'cannot open /var/lib/drs/jobs/140b.json'],
  ])('%s', (_name, message) => {
    const { error } = errorOf(answer(400, { error_code: 'DRS.M00202', error_msg: message }));
    expect(error.publicCode).toBe('DRS.M00202');
    expect(error.status).toBe(400);
    expect(error.options.upstreamMessage).toBeUndefined();
    expect(error.options.upstream).toEqual({ status: 400, error_code: 'DRS.M00202' });
    expect(JSON.stringify(error.options)).not.toMatch(LEAKS);
  });

  it('keeps an ordinary DRS message as DRS wrote it', () => {
    for (const message of ['The parameter jobs is empty.', 'This API cannot be called in the current task status.', '当前任务状态不允许调用该接口。', 'Retry at 12:30 (UTC).']) {
      expect(errorOf(answer(400, { error_code: 'DRS.M00304', error_msg: message })).error.options.upstreamMessage).toBe(message);
    }
  });
});
