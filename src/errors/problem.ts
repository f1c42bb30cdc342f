// Builds the RFC 9457 problem+json body for a GatewayError in the caller's language.
import { ERROR_CATALOGUE, type Language } from './catalogue';
import type { FieldProblem, GatewayError, UpstreamProblem } from './GatewayError';

export interface ProblemContext {
  instance: string;
  requestId: string;
  language: Language;
  /** Prefix of the `type` URI; the code is appended as a fragment. */
  typeBase: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  error_code: string;
  error_msg: string;
  request_id: string;
  errors?: FieldProblem[];
  /** Extension member: problems found beyond those listed in `errors` (present only when some were left out). */
  errors_omitted?: number;
  upstream?: UpstreamProblem;
}

export const problemBody = (error: GatewayError, ctx: ProblemContext): ProblemBody => {
  const entry = ERROR_CATALOGUE[error.code];
  const detail = error.options.upstreamMessage ?? (error.options.detail ?? entry.detail)[ctx.language];
  const body: ProblemBody = {
    type: `${ctx.typeBase}#${error.publicCode}`,
    title: entry.title[ctx.language],
    status: error.status,
    detail,
    instance: ctx.instance,
    error_code: error.publicCode,
    error_msg: detail,
    request_id: ctx.requestId,
  };
  if (error.options.errors) body.errors = error.options.errors;
  if (error.options.errorsOmitted !== undefined) body.errors_omitted = error.options.errorsOmitted;
  if (error.options.upstream) body.upstream = error.options.upstream;
  return body;
};
