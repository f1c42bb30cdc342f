// What this instance learned from the shared IP limiter: which client keys (an IPv4 address or an IPv6 /56) are over their limit, and until when.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';

const MAX_ENTRIES = 10_000;

export class BlockedIps {
  /** Expiry is checked in retryAfter() against the injected clock (lru-cache's own TTL still answers at the expiry instant); lru-cache bounds the count. */
  private readonly until = new LRUCache<string, number>({ max: MAX_ENTRIES });

  constructor(private readonly clock: Clock) {}

  /** `key` is the IP limiter's own key for the client, never the raw address. */
  block(key: string, untilMs: number): void {
    this.until.set(key, untilMs);
  }

  /** Seconds until the block ends, or undefined when the key is not blocked. */
  retryAfter(key: string): number | undefined {
    const until = this.until.get(key);
    if (until === undefined) return undefined;
    const remaining = until - this.clock.now();
    if (remaining <= 0) {
      this.until.delete(key);
      return undefined;
    }
    return Math.ceil(remaining / 1000);
  }
}
