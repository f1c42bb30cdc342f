// Sends a validated pre-check request to DRS with a project-scoped IAM token, replaying once after a token refusal.
import { performance } from 'node:perf_hooks';
import { SpanKind } from '@opentelemetry/api';
import type { Clock } from '../clock';
import type { Language } from '../errors/catalogue';
import { GatewayError } from '../errors/GatewayError';
import { drsPath, type DrsRouteName } from '../drs/drsRouteTable';
import type { HttpClient, HttpResponse } from '../outbound/createHttpClient';
import { statusClassOf, type MetricsHooks } from '../metrics/MetricsHooks';
import type { RequestTrail } from '../telemetry/RequestTrail';
import { clientAttributes, endClientSpan, GATEWAY_ATTRIBUTES } from '../telemetry/spans';
import type { RegionBreaker } from './createRegionBreaker';
import { mapDrsResponse, type DrsBatchBody } from './mapDrsResponse';
import { classifyNetworkError, failedBeforeSending, mayHaveReachedUpstream, type NetworkFailure } from '../outbound/networkFailure';
import { rememberingSanitizer } from '../outbound/sanitizeMessage';
import { SAFE_TOKEN_PATTERN } from '../validation/schemas';

export interface ForwardRequest {
  projectId: string;
  /** A row of the route table: its path on DRS, and the metric and span operation. */
  route: DrsRouteName;
  body: unknown;
  language: Language;
  requestId: string;
  /** Sent as it is when the request is not traced (the caller's trace id, a new parent id); a traced call sends its own span's. */
  traceparent?: string;
  /** Set by the progress poller, whose calls are counted apart from callers' result queries. */
  operation?: 'progress-poll';
  /** Learns the token's origin and DRS's status, time and request id. */
  trail?: RequestTrail;
}

export interface ForwardResult {
  body: DrsBatchBody;
  /** The JSON text to send back: DRS's bytes unless the gateway filled something in. */
  text: string;
  upstreamRequestId?: string;
}

/** A token DRS accepts in X-Auth-Token; only its text matters here. */
export interface UpstreamToken {
  value: string;
}

/** The part of the token cache the forwarder needs; iam's IamTokenCache fits it without either folder importing the other. */
export interface TokenSource {
  get(projectId: string, trail?: Pick<RequestTrail, 'tokenSource' | 'trace'>): Promise<UpstreamToken>;
  invalidate(projectId: string, value?: string): void;
}

export interface PrecheckForwarderOptions {
  http: HttpClient;
  tokens: TokenSource;
  breaker: RegionBreaker;
  clock: Clock;
  /** The region's name, for the metrics' labels. */
  region: string;
  metrics: Pick<MetricsHooks, 'upstreamRequest'>;
}

export interface PrecheckForwarder {
  forward(request: ForwardRequest): Promise<ForwardResult>;
}

const UNREACHABLE_RETRY_AFTER_S = 5;

const networkError = (failure: NetworkFailure): GatewayError => {
  const cause = new Error(`DRS transport failure: ${failure}`);
  if (failure === 'timeout') return new GatewayError('GW.3007', { cause });
  // DRS may have the request (the connection died after it left): the pre-check may have started, so this is a lost
  // answer, never "unavailable, try again", which callers retry as if nothing had started.
  if (mayHaveReachedUpstream(failure)) return new GatewayError('GW.3004', { cause });
  return new GatewayError('GW.3006', { retryAfterSeconds: UNREACHABLE_RETRY_AFTER_S, cause });
};

export const createPrecheckForwarder = (options: PrecheckForwarderOptions): PrecheckForwarder => {
  const { http, tokens, breaker, clock, region, metrics } = options;
  // DRS's item messages repeat from answer to answer: each text is scrubbed once, not on every result query.
  const sanitize = rememberingSanitizer();

  const post = async (path: string, body: string, headers: Record<string, string>): Promise<HttpResponse> => {
    try {
      return await http.post(path, body, headers);
    } catch (error) {
      // Nothing reached DRS (refused, or lost before the whole request left), so one retry on a fresh socket cannot
      // start a pre-check twice.
      if (!failedBeforeSending(error)) throw error;
      return http.post(path, body, headers);
    }
  };

  const send = async (request: ForwardRequest, token: UpstreamToken, body: string) => {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Auth-Token': token.value,
      'X-Language': request.language,
      'X-Request-Id': request.requestId,
    };
    const { trail } = request;
    const trace = trail?.trace;
    const operation = request.operation ?? request.route;
    // Traced: DRS learns this call's span as its parent, also when the caller sent no traceparent.
    const span = trace?.child(`drs ${operation}`, SpanKind.CLIENT, clientAttributes(http.server, { [GATEWAY_ATTRIBUTES.drsOperation]: operation, [GATEWAY_ATTRIBUTES.projectId]: request.projectId, [GATEWAY_ATTRIBUTES.region]: region }));
    const traceparent = span ? trace?.traceparent(span) : request.traceparent;
    if (traceparent) headers.traceparent = traceparent;
    const started = performance.now();
    let response: HttpResponse | undefined;
    try {
      response = await post(drsPath(request.projectId, request.route), body, headers);
    } catch (error) {
      const failure = classifyNetworkError(error);
      const gatewayError = networkError(failure);
      if (span) endClientSpan(span, { failure, error: gatewayError });
      throw gatewayError;
    } finally {
      const ms = performance.now() - started;
      metrics.upstreamRequest(region, operation, statusClassOf(response?.status), ms / 1000);
      if (trail) {
        trail.upstreamStatus = response?.status;
        trail.upstreamMs = (trail.upstreamMs ?? 0) + ms;
      }
    }
    const outcome = mapDrsResponse(
      { status: response.status, retryAfterHeader: response.headers['retry-after'], bodyText: response.data, language: request.language, now: clock.now() },
      sanitize,
    );
    if (span) endClientSpan(span, { status: response.status, error: outcome.kind === 'error' ? outcome.error : undefined });
    const upstreamId = response.headers['x-request-id'];
    const upstreamRequestId = typeof upstreamId === 'string' && SAFE_TOKEN_PATTERN.test(upstreamId) ? upstreamId : undefined;
    if (trail) trail.upstreamRequestId = upstreamRequestId;
    return { outcome, upstreamRequestId, upstreamFault: outcome.kind === 'error' && outcome.upstreamFault };
  };

  return {
    async forward(request) {
      const body = JSON.stringify(request.body);
      let token = await tokens.get(request.projectId, request.trail);
      let answer = await breaker.run(() => send(request, token, body));
      if (answer.outcome.kind === 'reauth') {
        tokens.invalidate(request.projectId, token.value);
        token = await tokens.get(request.projectId, request.trail);
        answer = await breaker.run(() => send(request, token, body));
      }
      const { outcome, upstreamRequestId } = answer;
      if (outcome.kind === 'ok') return { body: outcome.body, text: outcome.text, upstreamRequestId };
      const error = outcome.kind === 'reauth' ? new GatewayError('GW.3003', { upstream: outcome.upstream }) : outcome.error;
      throw upstreamRequestId ? error.withHeaders({ 'X-Upstream-Request-Id': upstreamRequestId }) : error;
    },
  };
};
