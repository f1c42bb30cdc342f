// Remembers tokens whose signature was already verified, so a caller's repeated requests skip the crypto.
import { setBounded } from '../setBounded';
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
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: VerifiedTokenCacheOptions) {}

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
    setBounded(this.entries, token, { caller, until: Math.min(expiresAt, now + this.options.maxAgeMs), notBefore }, this.options.maxEntries);
  }
}
