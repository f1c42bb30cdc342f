// The gateway's Redis connection against a real redis-server: fails fast while Redis is away, heals by itself, keeps secrets out of logs.
import { createRedisConnection, type RedisConnection, type RedisSettings } from '../../src/redis';
import { ensureRedisInstalled, freePort, startRedis, startRedisSentinel, type RedisProcess } from '../support/redis';
import { recordingLogger } from './recordingLogger';
import { waitForStatus } from './waitForStatus';
import { timed } from './timed';

ensureRedisInstalled();

const COMMAND_TIMEOUT_MS = 250;
/** Scheduling slack on a loaded CI machine; far below anything that would count as hanging. */
const MARGIN_MS = 150;

const settingsFor = (url: string): RedisSettings => ({ url, commandTimeoutMs: COMMAND_TIMEOUT_MS, connectTimeoutMs: 1_000 });


const COMPARE_AND_DELETE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

type CompareAndDelete = { compareAndDelete(key: string, owner: string): Promise<number> };

/** Scripts go through ioredis's defineCommand, as the stores use them: EVALSHA, EVAL on a new socket or on NOSCRIPT. */
const withCompareAndDelete = (client: RedisConnection['client']): CompareAndDelete => {
  client.defineCommand('compareAndDelete', { numberOfKeys: 1, lua: COMPARE_AND_DELETE });
  return client as unknown as CompareAndDelete;
};

describe('createRedisConnection (standalone)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const redisServer = async (options?: Parameters<typeof startRedis>[0]): Promise<RedisProcess> => {
    const redis = await startRedis(options);
    cleanups.push(() => redis.stop());
    return redis;
  };
  const connection = (settings: RedisSettings, logger = recordingLogger()): RedisConnection => {
    const opened = createRedisConnection(settings, logger);
    cleanups.push(() => opened.close());
    return opened;
  };

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('connects and reports up', async () => {
    const redis = await redisServer();
    const logger = recordingLogger();
    const redisConnection = connection(settingsFor(redis.url), logger);

    await waitForStatus(redisConnection, 'up');

    await redisConnection.client.set('greeting', 'hello');
    await expect(redisConnection.client.get('greeting')).resolves.toBe('hello');
    expect(logger.lines).toEqual([{ level: 'info', obj: { redis: redis.url }, msg: 'Redis connected' }]);
  });

  it('rejects a command at once while Redis is dead, and reports down', async () => {
    const redis = await redisServer();
    const redisConnection = connection(settingsFor(redis.url));
    await waitForStatus(redisConnection, 'up');

    await redis.kill();
    const { ms, error } = await timed(redisConnection.client.get('anything'));

    // ioredis refuses at once: the offline queue is off, so nothing waits for a reconnect.
    expect((error as Error).message).toMatch(/enableOfflineQueue options is false/);
    expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);
    await waitForStatus(redisConnection, 'down', 100);
  });

  it('fails a command that was in flight when Redis died instead of replaying it on the next connection', async () => {
    const redis = await redisServer();
    const redisConnection = connection(settingsFor(redis.url));
    await waitForStatus(redisConnection, 'up');

    redis.pause();
    const inFlight = timed(redisConnection.client.incr('counter'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await redis.kill();
    const { ms, error } = await inFlight;
    // maxRetriesPerRequest 0: the lost connection fails the command instead of keeping it for the next one.
    expect((error as Error).message).toMatch(/max retries per request limit \(which is 0\)/);
    expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);

    await redis.restart();
    await waitForStatus(redisConnection, 'up');
    await expect(redisConnection.client.get('counter')).resolves.toBeNull();
  });

  it('bounds a command by commandTimeout when Redis hangs, then drops the dead socket and recovers once Redis wakes', async () => {
    const redis = await redisServer();
    const redisConnection = connection(settingsFor(redis.url));
    await waitForStatus(redisConnection, 'up');

    redis.pause();
    const { ms, error } = await timed(redisConnection.client.get('anything'));
    expect((error as Error).message).toBe('Command timed out');
    expect(ms).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 5);
    expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);

    // The heartbeat (every 4 x commandTimeout, at least 1 s) is what notices a server that accepts but never answers.
    await waitForStatus(redisConnection, 'down', 2_500);
    const whileDown = await timed(redisConnection.client.get('anything'));
    expect((whileDown.error as Error).message).toMatch(/enableOfflineQueue options is false/);
    expect(whileDown.ms).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);

    redis.resume();
    await waitForStatus(redisConnection, 'up', 5_000);
    await expect(redisConnection.client.ping()).resolves.toBe('PONG');
  });

  it('keeps a connection made after an outage, even when commands were cut off by that outage', async () => {
    // ioredis 5.11's socketTimeout timer outlives its socket and kills the next one (redis/ioredis#2147); not used here.
    const redis = await redisServer();
    const logger = recordingLogger();
    const redisConnection = connection(settingsFor(redis.url), logger);
    await waitForStatus(redisConnection, 'up');
    redis.pause();
    const cutOff = redisConnection.client.get('anything').catch(() => 'cut off');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await redis.kill();
    await redis.restart();
    await waitForStatus(redisConnection, 'up', 5_000);
    await expect(cutOff).resolves.toBe('cut off');

    await new Promise((resolve) => setTimeout(resolve, 1_300));

    expect(redisConnection.status()).toBe('up');
    expect(logger.count('warn')).toBe(1);
    expect(logger.count('info')).toBe(2);
  });

  it('reconnects by itself after Redis restarts, on the same client, and reloads scripts into the empty script cache', async () => {
    const redis = await redisServer();
    const logger = recordingLogger();
    const redisConnection = connection(settingsFor(redis.url), logger);
    const { client } = redisConnection;
    const scripts = withCompareAndDelete(client);
    await waitForStatus(redisConnection, 'up');
    await expect(scripts.compareAndDelete('lock', 'me')).resolves.toBe(0);

    await redis.kill();
    await waitForStatus(redisConnection, 'down', 100);
    await redis.restart();
    await waitForStatus(redisConnection, 'up', 5_000);

    expect(redisConnection.client).toBe(client);
    await client.set('lock', 'me');
    await expect(scripts.compareAndDelete('lock', 'someone else')).resolves.toBe(0);
    await expect(scripts.compareAndDelete('lock', 'me')).resolves.toBe(1);
    expect(logger.count('warn')).toBe(1);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'info', msg: 'Redis connection restored' });
  });

  it('starts while Redis is absent, warns once however many reconnects fail, and connects when Redis appears', async () => {
    const port = await freePort();
    const logger = recordingLogger();
    const redisConnection = connection(settingsFor(`redis://127.0.0.1:${port}`), logger);

    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(redisConnection.status()).toBe('down');
    const { ms, error } = await timed(redisConnection.client.get('anything'));
    expect((error as Error).message).toMatch(/enableOfflineQueue options is false/);
    expect(ms).toBeLessThan(MARGIN_MS);
    expect(logger.lines).toEqual([
      { level: 'warn', obj: { redis: `redis://127.0.0.1:${port}`, reason: expect.stringContaining('ECONNREFUSED') }, msg: expect.stringContaining('not reachable') },
    ]);

    await redisServer({ port });
    await waitForStatus(redisConnection, 'up', 5_000);
    await expect(redisConnection.client.ping()).resolves.toBe('PONG');
    expect(logger.lines.at(-1)).toMatchObject({ level: 'info', msg: 'Redis connection restored' });
  });

  it('never logs the password, whether it is right or wrong', async () => {
    const password = 'correct-horse-battery';
    const redis = await redisServer({ password });
    const wrongLogger = recordingLogger();
    const wrong = connection(settingsFor(`redis://:wrong-staple-42@127.0.0.1:${redis.port}`), wrongLogger);
    const rightLogger = recordingLogger();
    const right = connection(settingsFor(redis.url), rightLogger);

    await waitForStatus(right, 'up');
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(wrong.status()).toBe('down');
    expect(wrongLogger.count('warn')).toBe(1);
    expect(wrongLogger.text()).toContain('WRONGPASS');
    expect(wrongLogger.text()).toContain('redis://:***@127.0.0.1');
    expect(wrongLogger.text()).not.toContain('wrong-staple-42');
    expect(rightLogger.text()).not.toContain(password);
    await expect(right.client.ping()).resolves.toBe('PONG');
  });

  it('closes for good, quickly, whether Redis is up or dead', async () => {
    const redis = await redisServer();
    const healthy = createRedisConnection(settingsFor(redis.url), recordingLogger());
    const orphaned = createRedisConnection(settingsFor(redis.url), recordingLogger());
    await waitForStatus(healthy, 'up');
    await waitForStatus(orphaned, 'up');

    await healthy.close();
    expect(healthy.client.status).toBe('end');
    expect(healthy.status()).toBe('down');

    await redis.kill();
    await waitForStatus(orphaned, 'down', 100);
    const { ms } = await timed(orphaned.close());
    expect(ms).toBeLessThan(MARGIN_MS);

    await redis.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(orphaned.status()).toBe('down');
    await expect(orphaned.client.ping()).rejects.toThrow();
  });

  it('recovers a script the server has forgotten (SCRIPT FLUSH) on the same connection', async () => {
    const redis = await redisServer();
    const redisConnection = connection(settingsFor(redis.url));
    const scripts = withCompareAndDelete(redisConnection.client);
    await waitForStatus(redisConnection, 'up');
    await redisConnection.client.set('lock', 'me');
    await expect(scripts.compareAndDelete('lock', 'other')).resolves.toBe(0);

    await redisConnection.client.script('FLUSH');

    await expect(scripts.compareAndDelete('lock', 'me')).resolves.toBe(1);
  });

  it('auto-pipelines many concurrent commands and scripts without mixing up their replies', async () => {
    const redis = await redisServer();
    const redisConnection = connection(settingsFor(redis.url));
    const scripts = withCompareAndDelete(redisConnection.client);
    await waitForStatus(redisConnection, 'up');
    const { client } = redisConnection;
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.set(`lock:${i}`, `owner-${i}`)));

    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => (i % 2 === 0 ? client.incr(`counter:${i % 10}`) : scripts.compareAndDelete(`lock:${i % 50}`, `owner-${i % 50}`))),
    );

    const counters = await Promise.all(Array.from({ length: 10 }, (_, i) => client.get(`counter:${i}`)));
    expect(counters.map(Number).reduce((sum, value) => sum + value, 0)).toBe(250);
    expect(replies.filter((reply, i) => i % 2 === 1 && reply === 1)).toHaveLength(25);
  });

  it('finds the master through Sentinel', async () => {
    const master = await redisServer();
    const sentinel = await startRedisSentinel({ port: master.port });
    cleanups.push(() => sentinel.stop());
    const redisConnection = connection({
      sentinel: { sentinels: [{ host: sentinel.host, port: sentinel.port }], name: sentinel.name },
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      connectTimeoutMs: 1_000,
    });

    await waitForStatus(redisConnection, 'up');
    await redisConnection.client.set('via', 'sentinel');
    await expect(redisConnection.client.get('via')).resolves.toBe('sentinel');
  });
});

describe('createRedisConnection settings', () => {
  const logger = recordingLogger();
  const timeouts = { commandTimeoutMs: 250, connectTimeoutMs: 1_000 };

  it('needs exactly one of url, sentinel or cluster', () => {
    expect(() => createRedisConnection({ ...timeouts }, logger)).toThrow('exactly one of url, sentinel or cluster');
    expect(() =>
      createRedisConnection({ ...timeouts, url: 'redis://127.0.0.1:1', cluster: { nodes: [{ host: '127.0.0.1', port: 1 }] } }, logger),
    ).toThrow('exactly one of url, sentinel or cluster');
  });

  it('needs positive timeouts, since every bound rests on them', () => {
    expect(() => createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 0, connectTimeoutMs: 1_000 }, logger)).toThrow('commandTimeoutMs');
    expect(() => createRedisConnection({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 250, connectTimeoutMs: Number.NaN }, logger)).toThrow('connectTimeoutMs');
  });

  it('refuses URL query parameters, which would override the fail-fast options, without quoting the URL', () => {
    const url = 'redis://:hunter2@127.0.0.1:6379/0?enableOfflineQueue=true';
    expect(() => createRedisConnection({ ...timeouts, url }, logger)).toThrow('must not carry query parameters');
    try {
      createRedisConnection({ ...timeouts, url }, logger);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('refuses other schemes and database paths that are not numbers', () => {
    expect(() => createRedisConnection({ ...timeouts, url: 'http://127.0.0.1:6379' }, logger)).toThrow('redis:// or rediss://');
    expect(() => createRedisConnection({ ...timeouts, url: 'redis://127.0.0.1:6379/cache' }, logger)).toThrow('database number');
  });
});
