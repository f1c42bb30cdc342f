// Idempotency records in this instance's memory: without Redis, or as the fallback while Redis is down.
import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from './IdempotencyStore';

const MAX_ENTRIES = 100_000;

export class MemoryIdempotencyStore implements IdempotencyStore {
  /**
   * Expiry is checked in claim() against the injected clock (lru-cache's own TTL still answers at the expiry instant);
   * lru-cache bounds the count. maxSize rather than max: max preallocates room for every entry (about 2.4 MB here), and
   * this store is mostly an empty fallback.
   */
  private readonly records = new LRUCache<string, { record: IdempotencyRecord; expiresAt: number }>({ maxSize: MAX_ENTRIES, sizeCalculation: () => 1 });

  constructor(private readonly clock: Clock) {}

  async claim(key: string, fingerprint: string, inFlightTtlMs: number): Promise<IdempotencyRecord | undefined> {
    const now = this.clock.now();
    const existing = this.records.get(key);
    if (existing && existing.expiresAt > now) return existing.record;
    this.records.set(key, { record: { state: 'in-flight', fingerprint }, expiresAt: now + inFlightTtlMs });
    return undefined;
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    this.records.set(key, { record: { state: 'done', fingerprint, response }, expiresAt: this.clock.now() + ttlMs });
  }

  async release(key: string): Promise<void> {
    this.records.delete(key);
  }
}
