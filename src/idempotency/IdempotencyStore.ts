// Where Idempotency-Key records live: a claim while the first request runs, then its response for 24 hours.
import type { ErrorCode } from '../errors/catalogue';
import type { UpstreamProblem } from '../errors/GatewayError';

/** A failure after which DRS may have started the work: its code and DRS's part, rebuilt into the same problem on a replay. */
export interface StoredFailure {
  code: ErrorCode;
  upstream?: UpstreamProblem;
}

/** DRS's 200 text, or (`failure`) the answer whose outcome nobody knows, so a repeat cannot start the work twice. */
export type StoredResponse = { status: number; upstreamRequestId?: string } & ({ body: string; failure?: undefined } | { failure: StoredFailure; body?: undefined });

export type IdempotencyRecord =
  | { state: 'in-flight'; fingerprint: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse };

export interface IdempotencyStore {
  /** Claims the key for a first request, or returns the record already there; one atomic step. */
  claim(key: string, fingerprint: string, inFlightTtlMs: number): Promise<IdempotencyRecord | undefined>;
  complete(key: string, fingerprint: string, response: StoredResponse, ttlMs: number): Promise<void>;
  /** Releases a claim whose request failed, so the caller may try again with the same key. */
  release(key: string): Promise<void>;
}

export const encodeRecord = (record: IdempotencyRecord): string => JSON.stringify(record);

export const decodeRecord = (text: string): IdempotencyRecord | undefined => {
  try {
    const record = JSON.parse(text) as IdempotencyRecord;
    return record.state === 'in-flight' || record.state === 'done' ? record : undefined;
  } catch {
    return undefined;
  }
};
