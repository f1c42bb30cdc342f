// Idempotency records against a real master and replica: with replica acknowledgements, a claim the replica never
// got is withdrawn and fails as a store failure, and what the store acknowledged is on the replica when it returns.
// The chaos run found the loss this prevents: a failover to a lagging replica forgot 6 keys answered 200, and their
// redelivery started DRS a second time.
import { Redis } from 'ioredis';
import { IdempotencyNotReplicatedError, RedisIdempotencyStore } from '../../src/idempotency/RedisIdempotencyStore';
import { sendRedisCommand, startRedis, type RedisProcess } from '../support/redis';
import { waitFor } from '../support/eventually';

/** Generous: a loaded machine's replica may take a while to acknowledge, and only the lagging case should time out. */
const ACKS = { replicas: 1, timeoutMs: 2_000 };
const CLAIM_TTL_MS = 60_000;

describe('idempotency records with replica acknowledgements (Redis WAIT)', () => {
  let master: RedisProcess;
  let replica: RedisProcess;
  let client: Redis;

  const linkUp = async (): Promise<boolean> => (await sendRedisCommand(replica.port, ['INFO', 'replication'])).includes('master_link_status:up');

  beforeAll(async () => {
    master = await startRedis();
    replica = await startRedis();
    await sendRedisCommand(replica.port, ['REPLICAOF', '127.0.0.1', String(master.port)]);
    await waitFor(() => linkUp().catch(() => false), 10_000, 'the replica in sync');
    client = new Redis(master.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    replica.resume();
    client.disconnect();
    await replica.stop();
    await master.stop();
  });

  it('holds a claim and a record on the replica by the time the call returns', async () => {
    const store = new RedisIdempotencyStore(client, ACKS);
    await expect(store.claim('gw:idem:{t}:acked', 'fp', CLAIM_TTL_MS)).resolves.toBeUndefined();
    expect(await sendRedisCommand(replica.port, ['GET', 'gw:idem:{t}:acked'])).toContain('"in-flight"');
    await store.complete('gw:idem:{t}:acked', 'fp', { status: 200, body: '{"results":[],"count":0}' }, CLAIM_TTL_MS);
    expect(await sendRedisCommand(replica.port, ['GET', 'gw:idem:{t}:acked'])).toContain('"done"');
  });

  it('withdraws a claim no replica acknowledged in time and fails it as a store failure, so the policy decides before DRS is called', async () => {
    const store = new RedisIdempotencyStore(client, ACKS);
    // The replica falls behind: paused, and cut off so it cannot catch up from its socket when it resumes.
    replica.pause();
    await sendRedisCommand(master.port, ['CLIENT', 'KILL', 'TYPE', 'replica']);
    try {
      await expect(store.claim('gw:idem:{t}:lagging', 'fp', CLAIM_TTL_MS)).rejects.toBeInstanceOf(IdempotencyNotReplicatedError);
      expect(await client.get('gw:idem:{t}:lagging')).toBeNull();
      await expect(store.complete('gw:idem:{t}:lagging', 'fp', { status: 200, body: '{}' }, CLAIM_TTL_MS)).rejects.toBeInstanceOf(IdempotencyNotReplicatedError);
    } finally {
      replica.resume();
      await waitFor(() => linkUp().catch(() => false), 10_000, 'the replica in sync');
    }
  });

  it('waits for nothing without acknowledgements asked for, as with a single Redis', async () => {
    const store = new RedisIdempotencyStore(client);
    replica.pause();
    try {
      await expect(store.claim('gw:idem:{t}:plain', 'fp', CLAIM_TTL_MS)).resolves.toBeUndefined();
    } finally {
      replica.resume();
    }
  });
});
