// The pure table from transport-level failures (axios/Node error codes) to the kind of failure they are.
import { isAxiosError } from 'axios';

export type NetworkFailure = 'timeout' | 'unreachable' | 'reset' | 'too-large' | 'unknown';

const TABLE: Readonly<Record<string, NetworkFailure>> = {
  ECONNABORTED: 'timeout',
  ETIMEDOUT: 'timeout',
  ERR_CANCELED: 'timeout',
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ERR_BAD_RESPONSE: 'reset',
  ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED: 'too-large',
  ERR_BAD_OPTION_VALUE: 'unknown',
};

export const classifyNetworkError = (error: unknown): NetworkFailure => {
  if (!isAxiosError(error)) return 'unknown';
  if (error.message.includes('maxContentLength')) return 'too-large';
  const causeCode = (error.cause as { code?: unknown } | undefined)?.code;
  const code = typeof error.code === 'string' ? error.code : typeof causeCode === 'string' ? causeCode : '';
  return TABLE[code] ?? (error.message.includes('socket hang up') ? 'reset' : 'unknown');
};

/** True when nothing reached the upstream, so one retry on a fresh socket cannot start work twice. */
export const failedBeforeSending = (error: unknown): boolean => {
  if (!isAxiosError(error)) return false;
  const code = error.code ?? (error.cause as { code?: string } | undefined)?.code;
  return code === 'ECONNREFUSED';
};
