// redactRedisUrl: what the admin config view and the logs may show of a Redis URL.
import { redactRedisUrl } from '../../src/redis';

describe('redactRedisUrl', () => {
  it('masks the password and keeps what helps an operator: scheme, user, host, port, database', () => {
    expect(redactRedisUrl('rediss://gateway:s3cr%40t@redis.internal:6380/2')).toBe('rediss://gateway:***@redis.internal:6380/2');
    expect(redactRedisUrl('redis://:only-a-password@10.0.0.5')).toBe('redis://:***@10.0.0.5');
  });

  it('leaves a URL without credentials as it is', () => {
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactRedisUrl('redis://gateway@127.0.0.1:6379')).toBe('redis://gateway@127.0.0.1:6379');
  });

  it('masks query values, which ioredis would read as options, password included', () => {
    const redacted = redactRedisUrl('redis://127.0.0.1:6379/0?password=hunter2&family=6');
    expect(redacted).toBe('redis://127.0.0.1:6379/0?password=***&family=***');
  });

  it('shows nothing of a value it cannot parse, since it may still hold a password', () => {
    expect(redactRedisUrl('redis//user:hunter2@host')).toBe('[invalid Redis URL]');
  });
});
