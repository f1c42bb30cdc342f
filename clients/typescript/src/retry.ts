// When and how long the client waits before repeating a call, and an abortable wait.
// Hand-written rather than cockatiel: cockatiel's retry delay does not listen to the AbortSignal, and an abort
// during a long Retry-After wait must stop at once.
import { GatewayClientError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** First backoff when the gateway names no delay; doubled per attempt. */
  baseDelayMs: number;
  /** No wait is longer: a Retry-After beyond it ends the retries and the error reaches the caller. */
  maxDelayMs: number;
  /** In [0, 1); spreads the backoff so many clients do not come back together. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 30_000, random: Math.random };

/** Backoff with equal jitter: between half and all of base × 2^(attempt-1), capped. */
export const backoffMs = (attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (policy.random() * ceiling) / 2);
};

/** The wait before attempt `attempts + 1`, or undefined when the error must reach the caller. */
export const retryDelayMs = (error: unknown, attempts: number, policy: RetryPolicy): number | undefined => {
  if (!(error instanceof GatewayClientError) || !error.retryable || attempts >= policy.maxAttempts) return undefined;
  if (error.retryAfterMs === undefined) return backoffMs(attempts, policy);
  return error.retryAfterMs <= policy.maxDelayMs ? error.retryAfterMs : undefined;
};

const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface RetryNotice {
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  error: GatewayClientError;
}

/** Runs `call` until it succeeds or retryDelayMs says stop. */
export const withRetries = async <T>(call: (attempt: number) => Promise<T>, policy: RetryPolicy, signal: AbortSignal | undefined, onRetry?: (notice: RetryNotice) => void): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(attempt);
    } catch (error) {
      const delayMs = signal?.aborted ? undefined : retryDelayMs(error, attempt, policy);
      if (delayMs === undefined) throw error;
      onRetry?.({ attempt, delayMs, error: error as GatewayClientError });
      await sleep(delayMs, signal);
    }
  }
};
