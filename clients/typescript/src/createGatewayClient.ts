// The typed client: a method per DRS route of the gateway (generated DRS_OPERATIONS) and the progress stream, through
// openapi-fetch, with tokens, retries and tracing headers per call.
import createClient from 'openapi-fetch';
import { errorFromResponse, networkError } from './errors.js';
import { DRS_OPERATIONS } from './gatewayTables.js';
import { newIdempotencyKey } from './idempotencyKey.js';
import type { paths } from './openapi.js';
import { DEFAULT_RETRY_POLICY, withRetries, type RetryNotice, type RetryPolicy } from './retry.js';
import { followStream, type PrecheckEvent, type ReconnectNotice, type WatchSettings } from './watchPrecheck.js';

/** One DRS route as the generator writes it from the gateway's OpenAPI document. */
export interface DrsOperation {
  readonly method: string;
  readonly path: string;
  /** DRS only reads: any failure may be repeated. */
  readonly readOnly: boolean;
  /** The route takes an Idempotency-Key: the gateway replays the first answer to a repeat. */
  readonly idempotencyKey: boolean;
}

type DrsOperations = typeof DRS_OPERATIONS;
type DrsOperationId = keyof DrsOperations;
type OperationOf<Id extends DrsOperationId> = paths[DrsOperations[Id]['path']][Lowercase<DrsOperations[Id]['method']>];
type JobsOf<Id extends DrsOperationId> = OperationOf<Id> extends { requestBody: { content: { 'application/json': { jobs: infer Jobs } } } } ? Jobs : never;
type AnswerOf<Id extends DrsOperationId> = OperationOf<Id> extends { responses: { 200: { content: { 'application/json': infer Answer } } } } ? Answer : never;
type OptionsOf<Id extends DrsOperationId> = DrsOperations[Id]['idempotencyKey'] extends true ? StartOptions : CallOptions;

/** A method per DRS route, named after its operationId: startPrecheck, getPrecheckResults, and any route added to the gateway. */
export type DrsMethods = { [Id in DrsOperationId]: (projectId: string, jobs: JobsOf<Id>, options?: OptionsOf<Id>) => Promise<AnswerOf<Id>> };

export type Language = NonNullable<NonNullable<OperationOf<'startPrecheck'>['parameters']['header']>['X-Language']>;
export type PrecheckJob = JobsOf<'startPrecheck'>[number];
export type BatchPrecheckResponse = AnswerOf<'startPrecheck'>;
export type BatchPrecheckResultResponse = AnswerOf<'getPrecheckResults'>;

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

/** A DRS route's method before the generated types name its jobs and answer. */
export type UntypedDrsMethod = (projectId: string, jobs: unknown[], options?: StartOptions) => Promise<unknown>;

export interface GatewayClient extends DrsMethods, ProgressMethods {}

export interface ProgressMethods {
  /** Live progress until every job is done; throws GatewayClientError on an `error` event or a refused stream. */
  watchPrecheck(projectId: string, jobIds: string[], options?: CallOptions): AsyncGenerator<PrecheckEvent, void, undefined>;
  /** The callback form of watchPrecheck: resolves once every job is done. */
  followPrecheck(projectId: string, jobIds: string[], onEvent: (event: PrecheckEvent) => void, options?: CallOptions): Promise<void>;
}

/** Reads have no effect: every failure may be repeated. */
const READ = { lost: true, answered: true };

const DEFAULT_RECONNECT: WatchSettings = { maxFailures: 5, idleTimeoutMs: 45_000, baseDelayMs: 500, maxDelayMs: 15_000, random: Math.random };

/**
 * The client over an operations table: createGatewayClient passes the generated DRS_OPERATIONS, the route-table test
 * passes operations generated from a gateway with a route added (so its methods are only known at run time).
 */
export const createClientFor = <Operations extends Readonly<Record<string, DrsOperation>>>(
  operations: Operations,
  options: GatewayClientOptions,
): ProgressMethods & { [Id in keyof Operations]: UntypedDrsMethod } => {
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
   * answer, which its Idempotency-Key covers (the gateway replays the first answer or answers 409 while the first runs).
   * A start the gateway answered with a may-have-started failure (502/504/500) is not repeated: the gateway keeps that
   * failure under the key, so a second attempt would only get it again; the caller reads the result instead.
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

  /**
   * A DRS route's method. A route with effects gets a key per call, which the call's own retries reuse, so a lost
   * answer is repeated safely; without a key such a route repeats nothing that may have started.
   */
  const drsMethod =
    (operation: DrsOperation): UntypedDrsMethod =>
    (projectId, jobs, call = {}) => {
      const idempotencyKey = operation.idempotencyKey ? (call.idempotencyKey ?? newIdempotencyKey()) : undefined;
      const path = operation.path.replace('{project_id}', projectId);
      const safe = operation.readOnly ? READ : { lost: idempotencyKey !== undefined, answered: false };
      return withRetries(
        async () => {
          const { header, headers } = await headersFor(call);
          const params = { path: { project_id: projectId }, header: idempotencyKey === undefined ? header : { ...header, 'Idempotency-Key': idempotencyKey } };
          // The path comes from the table at run time; DrsMethods gives each method its types.
          return attempt(path, call, safe, () => api.request(operation.method.toLowerCase() as 'post', operation.path as never, { params, headers, body: { jobs }, signal: call.signal } as never));
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
        const body = (await attempt(path, { ...call, signal }, READ, () =>
          api.GET('/v3/{project_id}/jobs/precheck-progress', {
            params: { path: { project_id: projectId }, query: { jobs: openJobs.join(',') }, header },
            headers,
            parseAs: 'stream',
            signal,
          }),
        )) as ReadableStream<Uint8Array> | null | undefined;
        // openapi-fetch gives no body for a 204 or an empty 200 (something in between answered): a stream that ended
        // before its first event, which the watch takes for a dropped connection.
        return body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
      },
    });

  const followPrecheck = async (projectId: string, jobIds: string[], onEvent: (event: PrecheckEvent) => void, call: CallOptions = {}): Promise<void> => {
    for await (const event of watchPrecheck(projectId, jobIds, call)) onEvent(event);
  };

  const drsMethods = Object.fromEntries(Object.entries(operations).map(([operationId, operation]) => [operationId, drsMethod(operation)])) as { [Id in keyof Operations]: UntypedDrsMethod };
  return { ...drsMethods, watchPrecheck, followPrecheck };
};

export const createGatewayClient = (options: GatewayClientOptions): GatewayClient => createClientFor(DRS_OPERATIONS, options) as GatewayClient;
