// Idempotency-Key for batch-precheck: a repeat gets the first answer again, a different body 422, a repeat in flight 409.
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors/GatewayError';
import type { StoreFailover } from '../failover/StoreFailover';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from './IdempotencyStore';

export const REPLAY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyOptions {
  /** Redis (when configured) and this instance's memory, with the store-failure policy between them. */
  stores: StoreFailover<IdempotencyStore>;
  /**
   * How long a claim holds if its instance dies mid-request: the whole upstream budget plus a margin. Read per claim,
   * since a reload may change the IAM and DRS timeouts the budget comes from.
   */
  inFlightTtlMs: () => number;
}

export interface IdempotentRequest {
  sub: string;
  key: string;
  projectId: string;
  /** The validated body, so equal bodies serialise equally. */
  body: unknown;
}

export type IdempotencyOutcome =
  | { kind: 'replay'; response: StoredResponse }
  /** A first request: run it, then finish() with its answer (a 200, or a failure DRS may have acted on), or release() when nothing started. */
  | { kind: 'first'; finish(response: StoredResponse): Promise<void>; release(): Promise<void> }
  /** The store is down and the policy lets the request run without idempotency. */
  | { kind: 'unprotected' };

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

export const createIdempotency = (options: IdempotencyOptions) => {
  /** Remembers which store answered, so finish and release go where the claim was made. */
  const claimIn = (key: string, fingerprint: string) =>
    options.stores.run<{ existing: IdempotencyRecord | undefined; store: IdempotencyStore } | undefined>(
      async (store) => ({ existing: await store.claim(key, fingerprint, options.inFlightTtlMs()), store }),
      // Open: the request runs without the guarantee.
      () => undefined,
    );

  return {
    async begin(request: IdempotentRequest): Promise<IdempotencyOutcome> {
      // Per caller: one caller's key never collides with, or reveals, another's.
      const key = `gw:idem:{${digest(request.sub).slice(0, 24)}}:${request.key}`;
      const fingerprint = digest(`${request.projectId}\u0000${JSON.stringify(request.body)}`);
      const claimed = await claimIn(key, fingerprint);
      if (!claimed) return { kind: 'unprotected' };
      const { existing } = claimed;
      if (existing && existing.fingerprint !== fingerprint) throw new GatewayError('GW.0422');
      if (existing?.state === 'in-flight') throw new GatewayError('GW.0409', { retryAfterSeconds: 1 });
      if (existing?.state === 'done') return { kind: 'replay', response: existing.response };
      const { store } = claimed;
      return {
        kind: 'first',
        finish: (response) => store.complete(key, fingerprint, response, REPLAY_WINDOW_MS),
        release: () => store.release(key),
      };
    },
  };
};

export type Idempotency = ReturnType<typeof createIdempotency>;
