// The pure table from a DRS answer (status, headers, body text) to what the gateway does with it.
import type { Language } from '../errors/catalogue';
import { ERROR_CATALOGUE } from '../errors/catalogue';
import { GatewayError, type UpstreamProblem } from '../errors/GatewayError';
import { CODE_SHAPE, parseJson, readErrorBody, serverErrorUpstream } from '../outbound/readErrorBody';
import { parseRetryAfter } from '../outbound/retryAfter';
import { sanitizeMessage, type Sanitize } from '../outbound/sanitizeMessage';

export type DrsOutcome =
  /** `text` is the body to send: DRS's own bytes when nothing needed filling in, so it is not serialised again. */
  | { kind: 'ok'; body: DrsBatchBody; text: string }
  /** DRS refused the token: drop it, fetch another, replay once. */
  | { kind: 'reauth'; upstream: UpstreamProblem }
  | { kind: 'error'; error: GatewayError; /** counts against the circuit breaker */ upstreamFault: boolean };

export interface DrsBatchBody {
  results: Array<Record<string, unknown>>;
  count: number;
  [key: string]: unknown;
}

const REAUTH_CODES = new Set(['APIG.0301', 'APIG.0307', 'APIGW.0301', 'APIGW.0307']);
const THROTTLE_CODES = new Set(['APIG.0308', 'APIGW.0308', 'DRS.M01503']);
const DEFAULT_RETRY_AFTER_S = 5;

const isBatchBody = (body: unknown): body is DrsBatchBody => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { results, count } = body as Record<string, unknown>;
  return Array.isArray(results) && results.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) && Number.isInteger(count);
};

const catalogueText = (code: unknown, language: Language): string => ERROR_CATALOGUE[code === 'GW.3004' ? 'GW.3004' : 'DRS.PASSTHROUGH'].detail[language];

/**
 * A failed item's error fields as passed on, or undefined when DRS's can go as they are (so a clean answer is not
 * copied): DRS's code when it has a code's shape, else GW.3004; DRS's message scrubbed as a 4xx message is, else (left
 * out, or dropped whole for internals) the catalogue text of the code it goes with: DRS.PASSTHROUGH's with DRS's code,
 * as a 4xx gets, GW.3004's with GW.3004. An empty code or message is DRS saying "none" on a running job.
 */
const passedErrorFields = (item: Record<string, unknown>, language: Language, sanitize: Sanitize): { error_code: unknown; error_msg: unknown } | undefined => {
  const { error_code: code, error_msg: message } = item;
  const failed = item.status === 'failed';
  const passedCode = typeof code === 'string' ? (code === '' || CODE_SHAPE.test(code) ? code : 'GW.3004') : failed ? 'GW.3004' : code;
  const passedMessage =
    typeof message === 'string' ? (message === '' ? message : (sanitize(message) ?? catalogueText(passedCode, language))) : failed ? catalogueText(passedCode, language) : message;
  return passedCode === code && passedMessage === message ? undefined : { error_code: passedCode, error_msg: passedMessage };
};

const passFailedItems = (body: DrsBatchBody, language: Language, sanitize: Sanitize): DrsBatchBody => {
  let results: DrsBatchBody['results'] | undefined;
  body.results.forEach((item, i) => {
    const passed = passedErrorFields(item, language, sanitize);
    if (passed === undefined) return;
    results ??= [...body.results];
    results[i] = { ...item, ...passed };
  });
  return results === undefined ? body : { ...body, results };
};

const okOutcome = (body: DrsBatchBody, bodyText: string, language: Language, sanitize: Sanitize): DrsOutcome => {
  const completed = passFailedItems(body, language, sanitize);
  return { kind: 'ok', body: completed, text: completed === body ? bodyText : JSON.stringify(completed) };
};

export interface DrsAnswer {
  status: number;
  retryAfterHeader: unknown;
  bodyText: string;
  language: Language;
  now: number;
}

/** `sanitize` scrubs the items' messages: sanitizeMessage itself, or a forwarder's rememberingSanitizer (the same answers, kept). */
export const mapDrsResponse = ({ status, retryAfterHeader, bodyText, language, now }: DrsAnswer, sanitize: Sanitize = sanitizeMessage): DrsOutcome => {
  const body = parseJson(bodyText);
  if (status >= 200 && status < 300) {
    return isBatchBody(body)
      ? okOutcome(body, bodyText, language, sanitize)
      : { kind: 'error', error: new GatewayError('GW.3004', { upstream: { status } }), upstreamFault: true };
  }
  const fields = readErrorBody(body);
  const upstream: UpstreamProblem = status >= 500 ? serverErrorUpstream(status, fields) : { status, error_code: fields.code, error_msg: fields.message };
  if (status === 401 || (fields.code !== undefined && REAUTH_CODES.has(fields.code))) return { kind: 'reauth', upstream };
  if (status === 429 || (fields.code !== undefined && THROTTLE_CODES.has(fields.code))) {
    const retryAfterSeconds = parseRetryAfter(retryAfterHeader, now) ?? DEFAULT_RETRY_AFTER_S;
    return { kind: 'error', error: new GatewayError('GW.3008', { retryAfterSeconds, upstream }), upstreamFault: false };
  }
  if (status >= 500) return { kind: 'error', error: new GatewayError('GW.3005', { upstream }), upstreamFault: true };
  if (status >= 400 && status < 500 && fields.code?.startsWith('DRS.')) {
    return {
      kind: 'error',
      error: new GatewayError('DRS.PASSTHROUGH', { status, errorCode: fields.code, upstreamMessage: fields.message, upstream }),
      upstreamFault: false,
    };
  }
  if (status === 403 && fields.code?.startsWith('APIG')) return { kind: 'error', error: new GatewayError('GW.3003', { upstream }), upstreamFault: false };
  return { kind: 'error', error: new GatewayError('GW.3004', { upstream }), upstreamFault: false };
};
