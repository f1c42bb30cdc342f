// Remembers tokens whose signature was already verified, so a caller's repeated requests skip the crypto.
import { LRUCache } from 'lru-cache';
import type { Caller } from './Caller';

interface Entry {
  caller: Caller;
  /** Epoch ms after which the entry must not answer (token expiry, or the re-verification horizon). */
  until: number;
  /** Epoch ms before which the token is not yet valid (nbf minus tolerance). */
  notBefore: number;
}

export interface VerifiedTokenCacheOptions {
  maxEntries: number;
  /** A verified token is checked again after this long, so a key removed from the JWKS stops working soon. */
  maxAgeMs: number;
}

export class VerifiedTokenCache {
  /** Expiry and nbf are checked in get() against the caller's `now`; lru-cache bounds the count, least recently used out first. */
  private readonly entries: LRUCache<string, Entry>;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.entries = new LRUCache({ max: options.maxEntries });
  }

  get(token: string, now: number): Caller | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.until || now < entry.notBefore) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.caller;
  }

  /** `expiresAt`/`notBefore` already include the clock tolerance. */
  set(token: string, caller: Caller, now: number, expiresAt: number, notBefore: number): void {
    this.entries.set(token, { caller, until: Math.min(expiresAt, now + this.options.maxAgeMs), notBefore });
  }
}
