// A redis-server of the test file's own with a gateway connection to it: up before the file's tests, emptied before each test, stopped after them.
import { createRedisConnection, type RedisConnection } from '../../src/redis';
import { startRedis, type RedisProcess } from '../support/redis';
import { recordingLogger } from './recordingLogger';
import { waitForStatus } from './waitForStatus';

/** Call inside a describe, before its own hooks: its beforeEach empties Redis before theirs run. */
export const useEmptyRedis = (): { readonly connection: RedisConnection } => {
  let redis: RedisProcess | undefined;
  let connection: RedisConnection | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    connection = createRedisConnection({ url: redis.url, commandTimeoutMs: 1_000, connectTimeoutMs: 1_000 }, recordingLogger());
    await waitForStatus(connection, 'up');
  });
  afterAll(async () => {
    await connection?.close();
    await redis?.stop();
  });
  beforeEach(async () => {
    await connection?.client.flushall();
  });
  return {
    get connection(): RedisConnection {
      if (connection === undefined) throw new Error('the Redis connection is made in beforeAll');
      return connection;
    },
  };
};
