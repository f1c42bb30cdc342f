// Idempotency records in this instance's memory: without Redis, or as the fallback while Redis is down.
import type { Clock } from '../clock';
import { setBounded } from '../setBounded';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from './IdempotencyStore';

const MAX_ENTRIES = 100_000;

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, { record: IdempotencyRecord; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async claim(key: string, fingerprint: string, inFlightTtlMs: number): Promise<IdempotencyRecord | undefined> {
    const now = this.clock.now();
    const existing = this.records.get(key);
    if (existing && existing.expiresAt > now) return existing.record;
    this.put(key, { state: 'in-flight', fingerprint }, now + inFlightTtlMs);
    return undefined;
  }

  async complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void> {
    this.put(key, { state: 'done', fingerprint, response }, this.clock.now() + ttlMs);
  }

  async release(key: string): Promise<void> {
    this.records.delete(key);
  }

  private put(key: string, record: IdempotencyRecord, expiresAt: number): void {
    setBounded(this.records, key, { record, expiresAt }, MAX_ENTRIES);
  }
}
