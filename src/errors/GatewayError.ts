// The single error type every layer throws; the error middleware turns it into problem+json.
import { ERROR_CATALOGUE, type ErrorCode, type Localized } from './catalogue';

/** One validation problem: a JSON pointer into the body, the path parameter or header at fault, or a configuration setting. */
export interface FieldProblem {
  pointer?: string;
  parameter?: string;
  header?: string;
  /** A refused configuration reload: the environment variable or config-file key at fault. */
  setting?: string;
  message: string;
}

export interface UpstreamProblem {
  status: number;
  error_code?: string;
  error_msg?: string;
}

export interface GatewayErrorOptions {
  errors?: FieldProblem[];
  /** How many validation problems were found beyond those listed in `errors`. */
  errorsOmitted?: number;
  upstream?: UpstreamProblem;
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
  /** Replaces the catalogue detail (still bilingual, still written by the gateway). */
  detail?: Localized;
  /** For DRS.PASSTHROUGH: the status and code DRS gave. */
  status?: number;
  errorCode?: string;
  /** Passed-through DRS message, already sanitised; used as error_msg in every language. */
  upstreamMessage?: string;
  /** A rate-limit refusal: the refusing limiter's RateLimit-Policy name, for the access line. */
  limiter?: string;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly options: GatewayErrorOptions = {},
  ) {
    super(ERROR_CATALOGUE[code].detail['en-us'], options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status ?? ERROR_CATALOGUE[code].status;
  }

  /** The same error with more response headers (e.g. X-Upstream-Request-Id once DRS has answered). */
  withHeaders(headers: Record<string, string>): GatewayError {
    return new GatewayError(this.code, { ...this.options, headers: { ...this.options.headers, ...headers } });
  }

  /** The code callers see: the gateway's own, or DRS's when DRS rejected the caller's request. */
  get publicCode(): string {
    return this.options.errorCode ?? this.code;
  }
}

/** What a failure is to the caller: itself when it is a GatewayError, else the catalogue's internal error (GW.5000). */
export const asGatewayError = (error: unknown): GatewayError => (error instanceof GatewayError ? error : new GatewayError('GW.5000'));
