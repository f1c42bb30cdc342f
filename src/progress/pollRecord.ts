// What one poll learnt about one job, as stored for every instance to read: a readable item, nothing readable, or a failure.
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/catalogue';
import { GatewayError, type GatewayErrorOptions } from '../errors/GatewayError';

export type ProgressItem = Record<string, unknown>;

/** `poll` names the DRS call the record came from, so a reader counts each unreadable answer once however often it reads it. */
export type PollRecord =
  | { poll: string; item: ProgressItem }
  | { poll: string; unreadable: true }
  | { poll: string; error: GatewayError };

interface StoredError {
  code: string;
  options: Pick<GatewayErrorOptions, 'status' | 'errorCode' | 'upstreamMessage' | 'upstream' | 'retryAfterSeconds'>;
}

/** "0%" to "100%", as DRS writes `process`. */
const PERCENTAGE = /^(?:100(?:\.0+)?|\d{1,2}(?:\.\d+)?)%$/;

/**
 * An item the gateway can show and finish: it names the job, any `error_code` is a string (JSON null counts as
 * absent), and without an error code `process` is a percentage string.
 */
export const isReadableItem = (item: unknown, jobId: string): item is ProgressItem => {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const { precheck_id: precheckId, error_code: errorCode, process } = item as ProgressItem;
  if (precheckId !== jobId) return false;
  if (errorCode !== undefined && errorCode !== null && typeof errorCode !== 'string') return false;
  if (typeof errorCode === 'string' && errorCode !== '') return true;
  return typeof process === 'string' && PERCENTAGE.test(process);
};

export const encodeRecord = (record: PollRecord): string => {
  if (!('error' in record)) return JSON.stringify(record);
  const { code, options } = record.error;
  const stored: StoredError = {
    code,
    options: { status: options.status, errorCode: options.errorCode, upstreamMessage: options.upstreamMessage, upstream: options.upstream, retryAfterSeconds: options.retryAfterSeconds },
  };
  return JSON.stringify({ poll: record.poll, error: stored });
};

const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);

/** Undefined for text no gateway wrote (a foreign or older value under the key): the reader then waits for the next poll. */
export const decodeRecord = (text: string): PollRecord | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { poll, item, unreadable, error } = parsed as Record<string, unknown>;
  if (typeof poll !== 'string') return undefined;
  if (typeof item === 'object' && item !== null && !Array.isArray(item)) return { poll, item: item as ProgressItem };
  if (unreadable === true) return { poll, unreadable: true };
  if (typeof error === 'object' && error !== null) {
    const stored = error as StoredError;
    return { poll, error: new GatewayError(isErrorCode(stored.code) ? stored.code : 'GW.5000', isErrorCode(stored.code) ? stored.options : {}) };
  }
  return undefined;
};
