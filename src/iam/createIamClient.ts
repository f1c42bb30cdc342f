// Exchanges the configured IAM user's password for a token scoped to one project (POST /v3/auth/tokens).
import { SpanKind } from '@opentelemetry/api';
import type { Clock } from '../clock';
import { GatewayError } from '../errors/GatewayError';
import type { HttpClient, HttpResponse } from '../outbound/createHttpClient';
import { classifyNetworkError, type NetworkFailure } from '../outbound/networkFailure';
import { parseJson, readErrorBody, serverErrorUpstream } from '../outbound/readErrorBody';
import { parseRetryAfter } from '../outbound/retryAfter';
import { clientAttributes, endClientSpan, GATEWAY_ATTRIBUTES } from '../telemetry/spans';
import type { IamToken, IamTokenFetcher } from './IamToken';
import { isUsable } from './refreshPolicy';

export interface IamClientOptions {
  http: HttpClient;
  domainName: string;
  userName: string;
  password: string;
  /** The region whose IAM this is, named on the fetch's span. */
  region?: string;
  clock: Clock;
  logger: { warn(obj: object, msg: string): void };
}

const MAX_TOKEN_LENGTH = 32 * 1024;
const DEFAULT_RETRY_AFTER_S = 5;

const unavailable = (retryAfterSeconds: number, upstream?: { status: number; error_code?: string; error_msg?: string }) =>
  new GatewayError('GW.3002', { retryAfterSeconds, upstream });

const parseExpiry = (body: unknown): number | undefined => {
  const expires = (body as { token?: { expires_at?: unknown } } | undefined)?.token?.expires_at;
  if (typeof expires !== 'string') return undefined;
  const ms = Date.parse(expires);
  return Number.isFinite(ms) ? ms : undefined;
};

export const createIamClient = (options: IamClientOptions): IamTokenFetcher => {
  const requestBody = (projectId: string) =>
    JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { domain: { name: options.domainName }, name: options.userName, password: options.password } },
        },
        scope: { project: { id: projectId } },
      },
    });

  /** One exchange with IAM: its answer, or the kind of transport failure that left none. */
  const send = async (projectId: string): Promise<HttpResponse | NetworkFailure> => {
    try {
      return await options.http.post('/v3/auth/tokens?nocatalog=true', requestBody(projectId), { 'Content-Type': 'application/json;charset=utf8' });
    } catch (error) {
      return classifyNetworkError(error);
    }
  };

  const tokenFrom = (projectId: string, response: HttpResponse): IamToken => {
    const body = parseJson(response.data);
    const now = options.clock.now();
    if (response.status === 201 || response.status === 200) {
      const value = response.headers['x-subject-token'];
      const expiresAt = parseExpiry(body);
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TOKEN_LENGTH || expiresAt === undefined) {
        throw unavailable(DEFAULT_RETRY_AFTER_S, { status: response.status });
      }
      const token: IamToken = { value, expiresAt, obtainedAt: now };
      // A token that is dead on arrival would only earn a 401 from DRS and a replay with another dead one; the
      // usual cause is a clock gap between the gateway and IAM, which fetching again cannot fix.
      if (!isUsable(token, now)) {
        options.logger.warn(
          { projectId, expiresAt: new Date(expiresAt).toISOString(), gatewayTime: new Date(now).toISOString(), behindMs: now - expiresAt },
          'IAM issued a token that is already expired by the gateway clock; not using it (check the gateway and IAM clocks)',
        );
        throw unavailable(DEFAULT_RETRY_AFTER_S, { status: response.status });
      }
      return token;
    }
    const fields = readErrorBody(body);
    const upstream = response.status >= 500 ? serverErrorUpstream(response.status, fields) : { status: response.status, error_code: fields.code, error_msg: fields.message };
    if (response.status === 429 || response.status >= 500) {
      throw unavailable(parseRetryAfter(response.headers['retry-after'], now) ?? DEFAULT_RETRY_AFTER_S, upstream);
    }
    throw new GatewayError('GW.3001', { upstream });
  };

  return {
    async fetchToken(projectId, parent) {
      // Opened by the request whose cache miss started the fetch; those that wait for the same fetch share it.
      const span = parent?.trace?.child('iam token', SpanKind.CLIENT, clientAttributes(options.http.server, { [GATEWAY_ATTRIBUTES.projectId]: projectId, ...(options.region === undefined ? {} : { [GATEWAY_ATTRIBUTES.region]: options.region }) }));
      const response = await send(projectId);
      if (typeof response === 'string') {
        // IAM may come back, so this is "unavailable", not a refusal.
        const error = new GatewayError('GW.3002', { retryAfterSeconds: DEFAULT_RETRY_AFTER_S, cause: new Error(`IAM ${response}`) });
        if (span) endClientSpan(span, { failure: response, error });
        throw error;
      }
      try {
        const token = tokenFrom(projectId, response);
        if (span) endClientSpan(span, { status: response.status });
        return token;
      } catch (error) {
        // A 2xx without a usable token is still a failed fetch.
        if (span) endClientSpan(span, { status: response.status, failure: response.status < 400 ? 'invalid-token' : undefined, error });
        throw error;
      }
    },
  };
};
