import { AxiosError } from 'axios';
import { classifyNetworkError, failedBeforeSending } from '../../src/upstream/networkFailure';

describe('the network-error table', () => {
  it.each([
    ['ECONNABORTED', 'timeout'],
    ['ETIMEDOUT', 'timeout'],
    ['ERR_CANCELED', 'timeout'],
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['EAI_AGAIN', 'unreachable'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED', 'too-large'],
  ])('%s is %s', (code, kind) => {
    expect(classifyNetworkError(new AxiosError('x', code))).toBe(kind);
  });

  it('reads the code of the cause when axios gives none, and knows a hang-up and a size cap by message', () => {
    const withCause = new AxiosError('x');
    withCause.cause = Object.assign(new Error('getaddrinfo ENOTFOUND drs.example.com'), { code: 'ENOTFOUND' });
    expect(classifyNetworkError(withCause)).toBe('unreachable');
    expect(classifyNetworkError(new AxiosError('socket hang up'))).toBe('reset');
    expect(classifyNetworkError(new AxiosError('maxContentLength size of 1048576 exceeded'))).toBe('too-large');
    expect(classifyNetworkError(new Error('not axios'))).toBe('unknown');
  });

  it('only a refused connection counts as nothing sent', () => {
    expect(failedBeforeSending(new AxiosError('x', 'ECONNREFUSED'))).toBe(true);
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND']) expect(failedBeforeSending(new AxiosError('x', code))).toBe(false);
  });
});
