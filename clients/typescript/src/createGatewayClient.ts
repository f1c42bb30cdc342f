// The typed client: the gateway's routes through openapi-fetch, with tokens, retries and tracing headers per call.
import createClient from 'openapi-fetch';
import { errorFromResponse, networkError } from './errors.js';
import { newIdempotencyKey } from './idempotencyKey.js';
import type { components, paths } from './openapi.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryNotice, type RetryPolicy } from './retry.js';
import { followStream, type PrecheckEvent, type ReconnectNotice, type WatchSettings } from './watchPrecheck.js';

type StartOperation = paths['/v3/{project_id}/jobs/batch-precheck']['post'];
export type Language = NonNullable<NonNullable<StartOperation['parameters']['header']>['X-Language']>;
export type PrecheckJob = StartOperation['requestBody']['content']['application/json']['jobs'][number];
export type BatchPrecheckResponse = components['schemas']['BatchPrecheckResponse'];
export type BatchPrecheckResultResponse = components['schemas']['BatchPrecheckResultResponse'];

export interface GatewayClientOptions {
  /** The gateway's origin, e.g. https://drs-gateway.example.com (no trailing path). */
  baseUrl: string;
  /** Called before every request and every stream (re)connection, so refreshed tokens are picked up. */
  getToken: () => string | Promise<string>;
  /** Default language of error titles and details (X-Language). */
  language?: Language;
  /** Default: the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  retry?: Partial<RetryPolicy>;
  /** Bounds stream reconnection; defaults: 5 failed reconnections in a row, 500 ms doubling to 15 s, 45 s of silence. */
  reconnect?: Partial<WatchSettings>;
  /** Told about every retry before its wait (for logs and metrics). */
  onRetry?: (notice: RetryNotice) => void;
  /** Told about every stream reconnection before its wait. */
  onReconnect?: (notice: ReconnectNotice) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Sent as X-Request-Id (letters, digits, `.`, `_`, `-`; at most 128): the gateway echoes it and passes it to DRS. */
  requestId?: string;
  /** W3C traceparent of the caller's span; DRS receives the same trace id. */
  traceparent?: string;
  language?: Language;
}

export interface StartOptions extends CallOptions {
  /** Default: a new random UUID per call, reused by the call's own retries. */
  idempotencyKey?: string;
}

export interface GatewayClient {
  startPrecheck(projectId: string, jobs: PrecheckJob[], options?: StartOptions): Promise<BatchPrecheckResponse>;
  getPrecheckResults(projectId: string, jobIds: string[], options?: CallOptions): Promise<BatchPrecheckResultResponse>;
  /** Live progress until every job is done; throws GatewayClientError on an `error` event or a refused stream. */
  watchPrecheck(projectId: string, jobIds: string[], options?: CallOptions): AsyncGenerator<PrecheckEvent, void, undefined>;
  /** The callback form of watchPrecheck: resolves once every job is done. */
  followPrecheck(projectId: string, jobIds: string[], onEvent: (event: PrecheckEvent) => void, options?: CallOptions): Promise<void>;
}

/** Reads have no effect: every failure may be repeated. */
const READ = { lost: true, answered: true };

const DEFAULT_RECONNECT: WatchSettings = { maxFailures: 5, idleTimeoutMs: 45_000, baseDelayMs: 500, maxDelayMs: 15_000, random: Math.random };

export const createGatewayClient = (options: GatewayClientOptions): GatewayClient => {
  // Bound late, so a page that swaps or polyfills fetch is honoured and browsers never see an unbound call.
  const fetchFn = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const api = createClient<paths>({ baseUrl: options.baseUrl, fetch: fetchFn, querySerializer: { allowReserved: true } });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const reconnect: WatchSettings = { ...DEFAULT_RECONNECT, ...options.reconnect };

  const headersFor = async (call: CallOptions) => ({
    header: {
      'X-Language': call.language ?? options.language,
      'X-Request-Id': call.requestId,
      traceparent: call.traceparent,
    },
    headers: { Authorization: `Bearer ${await options.getToken()}` },
  });

  /**
   * One attempt: the answer's body, or a GatewayClientError for a refusal or a lost exchange. `safe` says which
   * failures that may have started a pre-check can be repeated: a read repeats anything; a start repeats only a lost
   * answer, which its Idempotency-Key covers (the gateway replays a stored 200 or answers 409 while the first runs).
   * A start the gateway answered with a may-have-started failure (502 GW.3004/GW.3005, 504 GW.3007, 500 GW.5000) is
   * not repeated: the gateway keeps that failure under the key and would only replay it. Whether DRS started is
   * learnt from getPrecheckResults (a job never started reads DRS.M00002); only then a new key may start it again.
   */
  const attempt = async <T>(path: string, call: CallOptions, safe: { lost: boolean; answered: boolean }, send: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> => {
    let answer: { data?: T; error?: unknown; response: Response };
    try {
      answer = await send();
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      throw networkError(error, path, call.requestId, safe.lost);
    }
    if (answer.response.ok) return answer.data as T;
    throw errorFromResponse(answer.response, answer.error, safe.answered);
  };

  const startPrecheck = (projectId: string, jobs: PrecheckJob[], call: StartOptions = {}): Promise<BatchPrecheckResponse> => {
    const idempotencyKey = call.idempotencyKey ?? newIdempotencyKey();
    const path = `/v3/${projectId}/jobs/batch-precheck`;
    return withRetries(
      async () => {
        const { header, headers } = await headersFor(call);
        return attempt(path, call, { lost: true, answered: false }, () =>
          api.POST('/v3/{project_id}/jobs/batch-precheck', {
            params: { path: { project_id: projectId }, header: { ...header, 'Idempotency-Key': idempotencyKey } },
            headers,
            body: { jobs },
            signal: call.signal,
          }),
        );
      },
      policy,
      call.signal,
      options.onRetry,
    );
  };

  const getPrecheckResults = (projectId: string, jobIds: string[], call: CallOptions = {}): Promise<BatchPrecheckResultResponse> => {
    const path = `/v3/${projectId}/jobs/batch-precheck-result`;
    return withRetries(
      async () => {
        const { header, headers } = await headersFor(call);
        return attempt(path, call, READ, () =>
          api.POST('/v3/{project_id}/jobs/batch-precheck-result', { params: { path: { project_id: projectId }, header }, headers, body: { jobs: jobIds }, signal: call.signal }),
        );
      },
      policy,
      call.signal,
      options.onRetry,
    );
  };

  const watchPrecheck = (projectId: string, jobIds: string[], call: CallOptions = {}): AsyncGenerator<PrecheckEvent, void, undefined> =>
    followStream({
      jobIds,
      signal: call.signal,
      settings: reconnect,
      onReconnect: options.onReconnect,
      connect: async (openJobs, signal) => {
        const { header, headers } = await headersFor(call);
        const path = `/v3/${projectId}/jobs/precheck-progress`;
        return attempt(path, { ...call, signal }, READ, () =>
          api.GET('/v3/{project_id}/jobs/precheck-progress', {
            params: { path: { project_id: projectId }, query: { jobs: openJobs.join(',') }, header },
            headers,
            parseAs: 'stream',
            signal,
          }),
        ) as Promise<ReadableStream<Uint8Array>>;
      },
    });

  const followPrecheck = async (projectId: string, jobIds: string[], onEvent: (event: PrecheckEvent) => void, call: CallOptions = {}): Promise<void> => {
    for await (const event of watchPrecheck(projectId, jobIds, call)) onEvent(event);
  };

  return { startPrecheck, getPrecheckResults, watchPrecheck, followPrecheck };
};
