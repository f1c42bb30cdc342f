import { GatewayError } from '../../src/errors/GatewayError';
import { isTransientPollFailure } from '../../src/progress/ProgressHub';
import { decodeRecord, encodeRecord, isReadableItem } from '../../src/progress/pollRecord';

const JOB = '140b5236-88ad-43c8-811c-1268453jb101';

describe('poll records', () => {
  it.each([
    [{ precheck_id: JOB, process: '0%' }],
    [{ precheck_id: JOB, process: '37.5%', total_passed_rate: '80%', result: false }],
    [{ precheck_id: JOB, process: '100%', error_code: '' }],
    [{ precheck_id: JOB, process: '20%', error_code: null }],
    [{ precheck_id: JOB, error_code: 'DRS.M00002', error_msg: 'The returned result is empty.' }],
  ])('reads %j', (item) => {
    expect(isReadableItem(item, JOB)).toBe(true);
  });

  it.each([
    [undefined],
    [[]],
    [{ precheck_id: 'another-job', process: '10%' }],
    [{ precheck_id: 7, process: '10%' }],
    [{ precheck_id: JOB, process: 50 }],
    [{ precheck_id: JOB, process: '150%' }],
    [{ precheck_id: JOB, process: 'half' }],
    [{ precheck_id: JOB }],
    [{ precheck_id: JOB, process: '10%', error_code: 42 }],
  ])('cannot read %j', (item) => {
    expect(isReadableItem(item, JOB)).toBe(false);
  });

  it('carries a failure between instances with its code, status and DRS details, never its headers', () => {
    const error = new GatewayError('DRS.PASSTHROUGH', { status: 400, errorCode: 'DRS.M00202', upstreamMessage: 'The value of jobs is invalid.', upstream: { status: 400, error_code: 'DRS.M00202' }, headers: { 'X-Upstream-Request-Id': 'abc' } });
    const decoded = decodeRecord(encodeRecord({ poll: 'p1', error }));
    expect(decoded).toEqual({ poll: 'p1', error: expect.any(GatewayError) });
    const copy = (decoded as { error: GatewayError }).error;
    expect([copy.code, copy.status, copy.publicCode, copy.options.upstreamMessage, copy.options.upstream, copy.options.headers]).toEqual([
      'DRS.PASSTHROUGH', 400, 'DRS.M00202', 'The value of jobs is invalid.', { status: 400, error_code: 'DRS.M00202' }, undefined,
    ]);
  });

  it('ignores text no gateway wrote, and a code outside the catalogue becomes GW.5000', () => {
    expect(decodeRecord('not json')).toBeUndefined();
    expect(decodeRecord(JSON.stringify({ precheck_id: JOB, process: '10%' }))).toBeUndefined();
    expect(decodeRecord(JSON.stringify({ poll: 'p', error: { code: 'EVIL', options: { status: 200 } } }))).toEqual({ poll: 'p', error: expect.objectContaining({ code: 'GW.5000', status: 500 }) });
    expect(decodeRecord(JSON.stringify({ poll: 'p', unreadable: true }))).toEqual({ poll: 'p', unreadable: true });
  });

  it('retries DRS 5xx, timeouts, unreachability, throttles, IAM outages and invalid 2xx bodies, not 4xx answers', () => {
    const transient = ['GW.3002', 'GW.3005', 'GW.3006', 'GW.3007', 'GW.3008'] as const;
    for (const code of transient) expect(isTransientPollFailure(new GatewayError(code))).toBe(true);
    expect(isTransientPollFailure(new GatewayError('GW.3004', { upstream: { status: 200 } }))).toBe(true);
    expect(isTransientPollFailure(new GatewayError('GW.3004', { upstream: { status: 404 } }))).toBe(false);
    expect(isTransientPollFailure(new GatewayError('GW.3001'))).toBe(false);
    expect(isTransientPollFailure(new GatewayError('GW.3003'))).toBe(false);
    expect(isTransientPollFailure(new GatewayError('DRS.PASSTHROUGH', { status: 400, errorCode: 'DRS.M00202' }))).toBe(false);
    expect(isTransientPollFailure(new Error('bug'))).toBe(false);
  });
});
