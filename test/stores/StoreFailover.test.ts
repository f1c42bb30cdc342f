import { afterStoreError } from '../../src/rate-limit/afterStoreError';

describe('afterStoreError: the RATE_LIMIT_ON_STORE_ERROR decision shared by limiters, job budget and idempotency', () => {
  it('local answers from the instance memory', async () => {
    await expect(afterStoreError('local', async () => 'memory', () => 'open')).resolves.toBe('memory');
  });

  it('open lets the request through without the store', async () => {
    await expect(afterStoreError('open', async () => 'memory', () => 'open')).resolves.toBe('open');
  });

  it('closed refuses with 503 GW.5030 and Retry-After', async () => {
    await expect(afterStoreError('closed', async () => 'memory', () => 'open')).rejects.toMatchObject({ code: 'GW.5030', status: 503, options: { retryAfterSeconds: 5 } });
  });
});
