// What this instance learned from the shared IP limiter: which clients are over their limit, and until when.
import type { Clock } from '../clock';
import { setBounded } from '../setBounded';

const MAX_ENTRIES = 10_000;

export class BlockedIps {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  block(ip: string, untilMs: number): void {
    setBounded(this.until, ip, untilMs, MAX_ENTRIES);
  }

  /** Seconds until the block ends, or undefined when the IP is not blocked. */
  retryAfter(ip: string): number | undefined {
    const until = this.until.get(ip);
    if (until === undefined) return undefined;
    const remaining = until - this.clock.now();
    if (remaining <= 0) {
      this.until.delete(ip);
      return undefined;
    }
    return Math.ceil(remaining / 1000);
  }
}
