// The pure table from transport failures (Node error codes) to the kind of failure they are.
/** `aborted`: the connection died after the answer began, so the request reached the upstream. */
export type NetworkFailure = 'timeout' | 'unreachable' | 'reset' | 'aborted' | 'too-large' | 'unknown';

const TABLE: Readonly<Record<string, NetworkFailure>> = {
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

export const classifyNetworkError = (error: unknown): NetworkFailure => TABLE[codeOf(error) ?? ''] ?? 'unknown';

/** True when nothing reached the upstream, so one retry on a fresh socket cannot start work twice. */
export const failedBeforeSending = (error: unknown): boolean => codeOf(error) === 'ECONNREFUSED';
