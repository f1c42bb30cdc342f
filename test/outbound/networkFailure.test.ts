import { TransportError } from '../../src/outbound/createHttpClient';
import { classifyNetworkError, failedBeforeSending } from '../../src/outbound/networkFailure';

describe('the network-error table', () => {
  it.each([
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['EAI_AGAIN', 'unreachable'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ERR_RESPONSE_ABORTED', 'aborted'],
    ['ERR_RESPONSE_TOO_LARGE', 'too-large'],
    ['ERR_SOMETHING_NEW', 'unknown'],
  ])('%s is %s', (code, kind) => {
    expect(classifyNetworkError(new TransportError(code))).toBe(kind);
  });

  it('anything without a code is unknown', () => {
    expect(classifyNetworkError(new Error('no code'))).toBe('unknown');
    expect(classifyNetworkError(undefined)).toBe('unknown');
  });

  it('only a refused connection counts as nothing sent', () => {
    expect(failedBeforeSending(new TransportError('ECONNREFUSED'))).toBe(true);
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND']) expect(failedBeforeSending(new TransportError(code))).toBe(false);
  });
});
