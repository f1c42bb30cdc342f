// The one error the client throws for a refused or failed call, carrying what a caller needs to decide on a retry.
import { RETRY_KINDS } from './gatewayTables.js';
import type { components } from './openapi.js';

export type Problem = components['schemas']['Problem'];

/**
 * How a failure relates to the work it asked for:
 * - `transient`: refused before anything started (limits, IAM or DRS unreachable, an expired token, a keyed
 *   request still in flight); the same request can pass later;
 * - `may-have-started`: answered (or lost) after DRS may have received the request; repeating it is safe only for
 *   a read, or for a start whose answer was lost (its Idempotency-Key makes the gateway replay or refuse it);
 * - `final`: repeating the same request gets the same answer.
 */
export type FailureKind = 'transient' | 'may-have-started' | 'final';

/** Set by the client, never by the gateway: the request or its answer was lost on the way. */
export const NETWORK_ERROR_CODE = 'CLIENT.NETWORK';
/** Set by the client when something that is not the gateway's problem format answered (a proxy's HTML page). */
export const UNEXPECTED_RESPONSE_CODE = 'CLIENT.UNEXPECTED_RESPONSE';

export const classifyFailure = (status: number, errorCode: string | undefined): FailureKind => {
  if (errorCode === NETWORK_ERROR_CODE) return 'may-have-started';
  // The gateway's catalogue, generated; a code it does not list (DRS's own, passed through) is final.
  if (errorCode !== undefined && Object.hasOwn(RETRY_KINDS, errorCode)) return RETRY_KINDS[errorCode] as FailureKind;
  if (errorCode !== undefined && errorCode !== UNEXPECTED_RESPONSE_CODE) return 'final';
  // Not the gateway's own answer (a proxy or load balancer in between): only the status says anything.
  if (status === 429 || status === 503) return 'transient';
  if (status === 500 || status === 502 || status === 504) return 'may-have-started';
  return 'final';
};

/** Retry-After (delay-seconds or an HTTP date) in milliseconds. */
const retryAfterHeaderMs = (value: string | null, now: number): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

/**
 * The longest reset among the spent entries of an IETF draft-8 RateLimit header (`"caller";r=0;t=12, "ip";r=5;t=12`):
 * waiting for it is what makes the next attempt pass.
 */
const rateLimitResetMs = (value: string | null): number | undefined => {
  if (value === null) return undefined;
  let longest: number | undefined;
  for (const entry of value.split(',')) {
    const remaining = /;\s*r=(\d+)/.exec(entry)?.[1];
    const reset = /;\s*t=(\d+)/.exec(entry)?.[1];
    if (remaining === '0' && reset !== undefined) longest = Math.max(longest ?? 0, Number(reset) * 1000);
  }
  return longest;
};

/** Retry-After wins; a spent RateLimit entry is the fallback. */
export const retryAfterMs = (headers: Headers | undefined, now: number): number | undefined =>
  headers === undefined ? undefined : (retryAfterHeaderMs(headers.get('Retry-After'), now) ?? rateLimitResetMs(headers.get('RateLimit')));

export interface GatewayClientErrorInit {
  problem: Problem;
  headers?: Headers;
  /** Repeating the request after this failure has no second effect (a read; a start whose answer was lost). */
  idempotent: boolean;
  cause?: unknown;
  /** Milliseconds since the epoch, to read an HTTP-date Retry-After. */
  now?: number;
}

export class GatewayClientError extends Error {
  override readonly name = 'GatewayClientError';
  readonly problem: Problem;
  readonly status: number;
  readonly error_code: string;
  readonly error_msg: string;
  readonly request_id: string;
  readonly errors: Problem['errors'];
  readonly upstream: Problem['upstream'];
  readonly kind: FailureKind;
  /** Repeating this very request is safe and may succeed. */
  readonly retryable: boolean;
  /** How long the gateway asked to wait (Retry-After, else a spent RateLimit entry). */
  readonly retryAfterMs: number | undefined;

  constructor(init: GatewayClientErrorInit) {
    super(`${init.problem.status} ${init.problem.error_code}: ${init.problem.error_msg}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.problem = init.problem;
    this.status = init.problem.status;
    this.error_code = init.problem.error_code;
    this.error_msg = init.problem.error_msg;
    this.request_id = init.problem.request_id;
    this.errors = init.problem.errors;
    this.upstream = init.problem.upstream;
    this.kind = classifyFailure(this.status, this.error_code);
    this.retryable = this.kind === 'transient' || (this.kind === 'may-have-started' && init.idempotent);
    this.retryAfterMs = retryAfterMs(init.headers, init.now ?? Date.now());
  }
}

/** The gateway's problem format, as far as the client relies on it: an error code, and the 4xx or 5xx status it came with. */
export const isProblem = (body: unknown): body is Problem => {
  const { error_code: code, status } = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  return typeof code === 'string' && code !== '' && Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599;
};

/** A problem body the client writes itself, for failures the gateway could not describe. */
const clientProblem = (status: number, error_code: string, title: string, detail: string, instance: string, requestId: string | undefined, error_msg: string): Problem => ({
  type: 'about:blank',
  title,
  status,
  detail,
  instance,
  error_code,
  error_msg,
  request_id: requestId ?? '',
});

/** Builds the error from whatever answered: the gateway's problem body, or a stand-in for anything else. */
export const errorFromResponse = (response: Response, body: unknown, idempotent: boolean): GatewayClientError => {
  const problem = isProblem(body)
    ? body
    : clientProblem(
        response.status,
        UNEXPECTED_RESPONSE_CODE,
        response.statusText || 'Unexpected response',
        `The gateway's address answered ${response.status} without a problem body.`,
        new URL(response.url || 'http://unknown/').pathname,
        response.headers.get('X-Request-Id') ?? undefined,
        `HTTP ${response.status}`,
      );
  return new GatewayClientError({ problem, headers: response.headers, idempotent });
};

/** The request or its answer was lost (connection refused, reset, dropped mid-answer). */
export const networkError = (cause: unknown, path: string, requestId: string | undefined, idempotent: boolean): GatewayClientError =>
  new GatewayClientError({
    problem: clientProblem(0, NETWORK_ERROR_CODE, 'Network failure', cause instanceof Error ? cause.message : String(cause), path, requestId, 'The request or its answer was lost on the way.'),
    idempotent,
    cause,
  });

/** The progress stream carried an event whose data is not what the gateway sends: not the gateway speaking, nothing to retry. */
export const unreadableEventError = (event: string, cause?: unknown): GatewayClientError =>
  new GatewayClientError({
    problem: clientProblem(
      200,
      UNEXPECTED_RESPONSE_CODE,
      'Unreadable stream event',
      event === 'error' ? 'The data of an "error" event is not a problem object.' : `The data of a "${event}" event is not a JSON object.`,
      'precheck-progress',
      undefined,
      'The progress stream carried an unreadable event.',
    ),
    idempotent: true,
    cause,
  });
