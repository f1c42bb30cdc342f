// Encrypts IAM tokens at rest (AES-256-GCM); the Redis key is bound in as associated data so entries cannot be swapped.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { IamToken } from './IamToken';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TokenSealer {
  private readonly key: Buffer;

  constructor(base64Key: string) {
    this.key = Buffer.from(base64Key, 'base64');
    if (this.key.length !== 32) throw new Error('TOKEN_CACHE_KEY must be 32 bytes');
  }

  seal(token: IamToken, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const plain = JSON.stringify({ v: token.value, e: token.expiresAt, o: token.obtainedAt });
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
  }

  /** undefined for anything that does not decrypt: another key, another entry, or tampering. */
  open(text: string, boundTo: string): IamToken | undefined {
    if (!text.startsWith(`${VERSION}.`)) return undefined;
    const raw = Buffer.from(text.slice(VERSION.length + 1), 'base64');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      const parsed = JSON.parse(plain) as { v?: unknown; e?: unknown; o?: unknown };
      if (typeof parsed.v !== 'string' || typeof parsed.e !== 'number' || typeof parsed.o !== 'number') return undefined;
      return { value: parsed.v, expiresAt: parsed.e, obtainedAt: parsed.o };
    } catch {
      return undefined;
    }
  }
}
