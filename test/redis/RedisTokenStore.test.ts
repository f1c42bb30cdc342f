// The sealed IAM token level against a real redis-server: entries moved between projects, rewritten or sealed under another key are refused.
import { RedisTokenStore } from '../../src/iam/RedisTokenStore';
import { TokenSealer } from '../../src/iam/TokenSealer';
import { FakeClock } from '../support/fakeClock';
import { useEmptyRedis } from './useEmptyRedis';

const KEY = Buffer.alloc(32, 7).toString('base64');
const USER = { domainName: 'acme', userName: 'drs-gateway' };
const PROJECT_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const PROJECT_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

describe('RedisTokenStore refuses entries that were tampered with in Redis', () => {
  const clock = new FakeClock();
  const redis = useEmptyRedis();
  let store: RedisTokenStore;
  const tokenFor = (project: string) => ({ value: `MII-${project}`, expiresAt: clock.now() + 3_600_000, obtainedAt: clock.now() });
  const keyOf = async (project: string): Promise<string> => {
    const [key] = await redis.connection.client.keys(`gw:iam:{*:${project}}`);
    if (key === undefined) throw new Error(`no entry for ${project}`);
    return key;
  };

  beforeAll(() => {
    store = new RedisTokenStore(redis.connection.client, new TokenSealer(KEY), clock, USER);
  });
  beforeEach(async () => {
    await store.put(PROJECT_A, tokenFor(PROJECT_A));
    await store.put(PROJECT_B, tokenFor(PROJECT_B));
  });

  it('reads back each project its own token', async () => {
    expect(await store.get(PROJECT_A)).toEqual(tokenFor(PROJECT_A));
    expect(await store.get(PROJECT_B)).toEqual(tokenFor(PROJECT_B));
  });

  it("refuses project A's entry copied under project B's key (swapped binding)", async () => {
    await redis.connection.client.set(await keyOf(PROJECT_B), (await redis.connection.client.get(await keyOf(PROJECT_A))) as string);
    expect(await store.get(PROJECT_B)).toBeUndefined();
    expect(await store.get(PROJECT_A)).toEqual(tokenFor(PROJECT_A));
  });

  it('refuses an entry whose ciphertext was changed', async () => {
    const key = await keyOf(PROJECT_A);
    const stored = (await redis.connection.client.get(key)) as string;
    // A character in the middle of the base64 text: all six of its bits are ciphertext, none padding.
    const at = Math.floor(stored.length * 0.75);
    await redis.connection.client.set(key, `${stored.slice(0, at)}${stored[at] === 'A' ? 'B' : 'A'}${stored.slice(at + 1)}`);
    expect(await store.get(PROJECT_A)).toBeUndefined();
  });

  it('refuses entries sealed under another TOKEN_CACHE_KEY', async () => {
    const otherKey = new RedisTokenStore(redis.connection.client, new TokenSealer(Buffer.alloc(32, 9).toString('base64')), clock, USER);
    expect(await otherKey.get(PROJECT_A)).toBeUndefined();
  });
});
