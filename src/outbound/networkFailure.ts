// The pure table from transport failures (Node error codes, and whether the whole request was sent) to their kind.
/**
 * Whether the upstream can have received the request decides everything for a start: only a failure before the whole
 * request left ('unreachable', 'reset-before-request') is safe to call "nothing started" (Envoy's reset-before-request).
 * - `reset-after-request`: the connection died after the request was sent and before any answer;
 * - `aborted`: the connection died after the answer began.
 */
export type NetworkFailure = 'timeout' | 'unreachable' | 'reset-before-request' | 'reset-after-request' | 'aborted' | 'too-large';

const TABLE: Readonly<Record<string, NetworkFailure | 'reset'>> = {
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ERR_RESPONSE_ABORTED: 'aborted',
  ERR_RESPONSE_TOO_LARGE: 'too-large',
};

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Only a failure that says so counts as "not sent": an error of unknown origin may have delivered the request. */
const requestSent = (error: unknown): boolean => (error as { requestSent?: unknown } | null)?.requestSent !== false;

/** An unknown code is a lost connection whose only known fact is whether the request had left. */
export const classifyNetworkError = (error: unknown): NetworkFailure => {
  const kind = TABLE[codeOf(error) ?? ''] ?? 'reset';
  if (kind !== 'reset') return kind;
  return requestSent(error) ? 'reset-after-request' : 'reset-before-request';
};

/** True when the upstream may have received the request, so a start may have begun and must not be repeated blindly. */
export const mayHaveReachedUpstream = (failure: NetworkFailure): boolean => failure !== 'unreachable' && failure !== 'reset-before-request';

/**
 * True when nothing reached the upstream and a fresh connection may help: a refused connection, or one lost before
 * the whole request left (a pooled socket the upstream closed as the request went out). A DNS failure is not retried.
 */
export const failedBeforeSending = (error: unknown): boolean => codeOf(error) === 'ECONNREFUSED' || classifyNetworkError(error) === 'reset-before-request';
