// The gateway's Redis connection against a real three-master Redis Cluster.
import { createRedisConnection, type RedisConnection, type RedisSettings } from '../../src/redis';
import { ensureRedisInstalled, freePort, sendRedisCommand, startRedisCluster, type RedisClusterProcess } from '../support/redis';
import { recordingLogger } from './recordingLogger';
import { waitForStatus } from './waitForStatus';
import { timed } from './timed';

ensureRedisInstalled();

const COMMAND_TIMEOUT_MS = 250;
const MARGIN_MS = 150;

const settingsFor = (nodes: Array<{ host: string; port: number }>): RedisSettings => ({
  cluster: { nodes },
  commandTimeoutMs: COMMAND_TIMEOUT_MS,
  connectTimeoutMs: 1_000,
});


/** Claims an order for an owner and stamps it; both keys share the `{order:N}` hash tag, hence one slot. */
const CLAIM = "redis.call('set', KEYS[1], ARGV[1]); redis.call('set', KEYS[2], ARGV[2]); return redis.call('get', KEYS[1])";
type Claim = { claim(ownerKey: string, stampKey: string, owner: string, stamp: string): Promise<string> };

describe('createRedisConnection (cluster)', () => {
  let cluster: RedisClusterProcess;
  let redisConnection: RedisConnection;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redisConnection = createRedisConnection(settingsFor(cluster.nodes.slice(0, 1)), recordingLogger());
  });

  afterAll(async () => {
    await redisConnection.close();
    await cluster.stop();
  });

  it('connects through one node, discovers the others and reports up', async () => {
    await waitForStatus(redisConnection, 'up');
    expect(redisConnection.client.isCluster).toBe(true);
  });

  it('sets and gets keys that land on different slots of different masters', async () => {
    await waitForStatus(redisConnection, 'up');
    const keys = Array.from({ length: 30 }, (_, i) => `idempotency:${i}`);

    await Promise.all(keys.map((key) => redisConnection.client.set(key, `value of ${key}`)));

    await expect(Promise.all(keys.map((key) => redisConnection.client.get(key)))).resolves.toEqual(keys.map((key) => `value of ${key}`));
    const keysPerNode = await Promise.all(cluster.nodes.map(({ port }) => sendRedisCommand(port, ['DBSIZE'])));
    for (const count of keysPerNode) expect(Number(count)).toBeGreaterThan(0);
  });

  it('runs a Lua script over hash-tagged keys, concurrently for keys on every master', async () => {
    await waitForStatus(redisConnection, 'up');
    redisConnection.client.defineCommand('claim', { numberOfKeys: 2, lua: CLAIM });
    const scripts = redisConnection.client as unknown as Claim;

    const owners = await Promise.all(
      Array.from({ length: 30 }, (_, i) => scripts.claim(`{order:${i}}:owner`, `{order:${i}}:stamp`, `owner-${i}`, `stamp-${i}`)),
    );

    expect(owners).toEqual(Array.from({ length: 30 }, (_, i) => `owner-${i}`));
    await expect(redisConnection.client.get('{order:7}:stamp')).resolves.toBe('stamp-7');
    // Without the shared tag the keys may sit on different slots, which Redis Cluster refuses for one script.
    await expect(scripts.claim('order:1:owner', 'order:2:stamp', 'x', 'y')).rejects.toThrow(/CROSSSLOT|same slot/);
  });

  it('fails fast, not after a connection attempt, while no node has ever been reachable', async () => {
    const port = await freePort();
    const unreachable = createRedisConnection(settingsFor([{ host: '127.0.0.1', port }]), recordingLogger());
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { ms, error } = await timed(unreachable.client.get('anything'));
      expect(error).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(MARGIN_MS);
      expect(unreachable.status()).toBe('down');
    } finally {
      await unreachable.close();
    }
  });

  it('bounds commands for a dead master by commandTimeout while the other masters keep serving', async () => {
    await waitForStatus(redisConnection, 'up');
    const [victimPort] = cluster.nodes.map(({ port }) => port);
    const victimPid = cluster.pids()[0] ?? -1;
    const keys = Array.from({ length: 30 }, (_, i) => `survivor:${i}`);
    await Promise.all(keys.map((key) => redisConnection.client.set(key, 'v')));
    // A node answers MOVED for a key it does not own.
    const onVictim = await Promise.all(keys.map((key) => sendRedisCommand(victimPort ?? 0, ['EXISTS', key]).then((reply) => reply === '1', () => false)));
    expect(onVictim).toContain(true);
    expect(onVictim).toContain(false);

    process.kill(victimPid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const results = await Promise.all(keys.map((key) => timed(redisConnection.client.get(key))));

    for (const [i, { ms, error }] of results.entries()) {
      // ioredis keeps retrying a key whose master is gone until commandTimeout says "Command timed out".
      expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + MARGIN_MS);
      expect(error === undefined).toBe(!onVictim[i]);
    }
  });
});
