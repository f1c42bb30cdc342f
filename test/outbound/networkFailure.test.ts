import { TransportError } from '../../src/outbound/createHttpClient';
import { classifyNetworkError, failedBeforeSending, mayHaveReachedUpstream, type NetworkFailure } from '../../src/outbound/networkFailure';

describe('the network-error table', () => {
  it.each<[string, boolean, NetworkFailure]>([
    ['ETIMEDOUT', true, 'timeout'],
    ['ETIMEDOUT', false, 'timeout'],
    ['ECONNREFUSED', false, 'unreachable'],
    ['ENOTFOUND', false, 'unreachable'],
    ['EAI_AGAIN', false, 'unreachable'],
    ['EHOSTUNREACH', false, 'unreachable'],
    ['ENETUNREACH', false, 'unreachable'],
    ['ECONNRESET', false, 'reset-before-request'],
    ['EPIPE', false, 'reset-before-request'],
    ['ECONNRESET', true, 'reset-after-request'],
    ['EPIPE', true, 'reset-after-request'],
    ['ERR_RESPONSE_ABORTED', true, 'aborted'],
    ['ERR_RESPONSE_TOO_LARGE', true, 'too-large'],
    ['ERR_SOMETHING_NEW', false, 'reset-before-request'],
    ['ERR_SOMETHING_NEW', true, 'reset-after-request'],
  ])('%s (request sent: %s) is %s', (code, sent, kind) => {
    expect(classifyNetworkError(new TransportError(code, sent))).toBe(kind);
  });

  it('an error that does not say whether the request left counts as sent', () => {
    expect(classifyNetworkError(new Error('no code'))).toBe('reset-after-request');
    expect(classifyNetworkError(undefined)).toBe('reset-after-request');
    expect(classifyNetworkError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('reset-after-request');
  });

  it('only a failure before the whole request left is one DRS cannot have received', () => {
    const reached = (['timeout', 'unreachable', 'reset-before-request', 'reset-after-request', 'aborted', 'too-large'] as const).filter(mayHaveReachedUpstream);
    expect(reached).toEqual(['timeout', 'reset-after-request', 'aborted', 'too-large']);
  });

  it('a refused connection and one lost before the request left count as nothing sent; a DNS failure is not worth a second try', () => {
    expect(failedBeforeSending(new TransportError('ECONNREFUSED', false))).toBe(true);
    expect(failedBeforeSending(new TransportError('ECONNRESET', false))).toBe(true);
    expect(failedBeforeSending(new TransportError('EPIPE', false))).toBe(true);
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ERR_RESPONSE_ABORTED']) expect(failedBeforeSending(new TransportError(code, true))).toBe(false);
    expect(failedBeforeSending(new TransportError('ENOTFOUND', false))).toBe(false);
  });
});
