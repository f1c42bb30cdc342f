// The Redis test harness: real processes that start fast, restart empty and leave nothing behind.
import { connect } from 'node:net';
import { isAlive } from '../support/isAlive';
import { ensureRedisInstalled, sendRedisCommand, startRedis, startRedisCluster } from '../support/redis';

ensureRedisInstalled();

const refusesConnections = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('the Redis test harness', () => {
  it('starts a standalone server quickly and leaves no process or listener behind after stop', async () => {
    const started = Date.now();
    const redis = await startRedis();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    await expect(sendRedisCommand(redis.port, ['PING'])).resolves.toBe('PONG');
    const pid = redis.pid() ?? -1;
    expect(isAlive(pid)).toBe(true);

    await redis.stop();
    await redis.stop();

    expect(redis.pid()).toBeUndefined();
    expect(isAlive(pid)).toBe(false);
    await expect(refusesConnections(redis.port)).resolves.toBe(true);
  });

  it('restarts a fresh, empty server on the same port, also after an abrupt kill', async () => {
    const redis = await startRedis();
    try {
      await sendRedisCommand(redis.port, ['SET', 'survivor', 'yes']);
      const firstPid = redis.pid() ?? -1;

      await redis.restart();
      expect(redis.pid()).not.toBe(firstPid);
      expect(isAlive(firstPid)).toBe(false);
      await expect(sendRedisCommand(redis.port, ['GET', 'survivor'])).resolves.toBe('');

      await redis.kill();
      await expect(refusesConnections(redis.port)).resolves.toBe(true);
      await redis.restart();
      await expect(sendRedisCommand(redis.port, ['PING'])).resolves.toBe('PONG');
    } finally {
      await redis.stop();
    }
  });

  it('starts with a password when asked, and puts it in the URL', async () => {
    const redis = await startRedis({ password: 'p@ss word' });
    try {
      expect(redis.url).toBe(`redis://:p%40ss%20word@127.0.0.1:${redis.port}`);
      await expect(sendRedisCommand(redis.port, ['GET', 'x'])).rejects.toThrow(/NOAUTH/);
    } finally {
      await redis.stop();
    }
  });

  it('starts a three-master cluster that every node reports healthy, and stops all of it', async () => {
    const started = Date.now();
    const cluster = await startRedisCluster();
    const startMs = Date.now() - started;
    try {
      expect(cluster.nodes).toHaveLength(3);
      for (const { port } of cluster.nodes) {
        const info = await sendRedisCommand(port, ['CLUSTER', 'INFO']);
        expect(info).toContain('cluster_state:ok');
        expect(info).toContain('cluster_known_nodes:3');
      }
      expect(startMs).toBeLessThan(8_000);
    } finally {
      await cluster.stop();
    }
    for (const pid of cluster.pids()) expect(isAlive(pid)).toBe(false);
    for (const { port } of cluster.nodes) await expect(refusesConnections(port)).resolves.toBe(true);
  });

  it('says how to install redis-server when it is missing and cannot be installed here', () => {
    expect(() => ensureRedisInstalled({ searchPath: '/nonexistent' })).toThrow(
      'redis-server is required for the tests: install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis`',
    );
  });
});
