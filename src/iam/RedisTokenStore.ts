// The shared IAM token level in Redis: sealed tokens per (IAM user, project) and the fetch lock beside each.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { LuaScript } from '../redis/LuaScript';
import type { RedisClient } from '../redis/RedisClient';
import type { IamToken } from './IamToken';
import type { TokenSealer } from './TokenSealer';

const RELEASE_LOCK = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** Deletes the entry only while it still holds the token with this fingerprint. */
const DROP_IF_SAME = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const fingerprint = (value: string): string => `${createHash('sha256').update(value).digest('hex').slice(0, 32)}:`;

export class RedisTokenStore {
  private readonly identity: string;

  constructor(
    private readonly client: RedisClient,
    private readonly sealer: TokenSealer,
    private readonly clock: Clock,
    iamUser: { domainName: string; userName: string },
  ) {
    // A digest keeps user names out of key names and stops two users' tokens from ever sharing a key.
    this.identity = createHash('sha256').update(`${iamUser.domainName}\u0000${iamUser.userName}`).digest('hex').slice(0, 16);
  }

  /** The hash tag keeps a token and its lock on one Cluster slot. */
  private key(projectId: string): string {
    return `gw:iam:{${this.identity}:${projectId}}`;
  }

  private lockKey(projectId: string): string {
    return `${this.key(projectId)}:lock`;
  }

  async get(projectId: string): Promise<IamToken | undefined> {
    const stored = await this.client.get(this.key(projectId));
    if (stored === null) return undefined;
    const sealed = stored.slice(stored.indexOf(':') + 1);
    return this.sealer.open(sealed, this.key(projectId));
  }

  /** Kept until the token expires: while IAM is down, other instances may still use it inside its margin. */
  async put(projectId: string, token: IamToken): Promise<void> {
    const ttl = Math.floor(token.expiresAt - this.clock.now());
    if (ttl <= 0) return;
    await this.client.set(this.key(projectId), fingerprint(token.value) + this.sealer.seal(token, this.key(projectId)), 'PX', ttl);
  }

  async drop(projectId: string, value?: string): Promise<void> {
    if (value === undefined) await this.client.del(this.key(projectId));
    else await DROP_IF_SAME.run(this.client, [this.key(projectId)], [fingerprint(value)]);
  }

  /** Every project's token of this IAM user, on every master of a Cluster; returns how many were dropped. */
  async dropAll(): Promise<number> {
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client];
    let dropped = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `gw:iam:{${this.identity}:*}`, 'COUNT', 500);
        cursor = next;
        // One key per DEL: in a Cluster the keys of one page sit in different slots.
        for (const key of keys) dropped += await node.del(key);
      } while (cursor !== '0');
    }
    return dropped;
  }

  async acquireLock(projectId: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(this.lockKey(projectId), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async releaseLock(projectId: string, owner: string): Promise<void> {
    await RELEASE_LOCK.run(this.client, [this.lockKey(projectId)], [owner]);
  }
}
