// What this instance learned from the shared IP limiter: which client keys (an IPv4 address or an IPv6 /56) are over their limit, and until when.
import type { Clock } from '../clock';
import { setBounded } from '../setBounded';

const MAX_ENTRIES = 10_000;

export class BlockedIps {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** `key` is the IP limiter's own key for the client, never the raw address. */
  block(key: string, untilMs: number): void {
    setBounded(this.until, key, untilMs, MAX_ENTRIES);
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
