// Reads an error code and message from any of the body shapes DRS, APIG and IAM use.
import { isRecord } from '../isRecord';
import { sanitizeMessage } from './sanitizeMessage';

export interface UpstreamErrorFields {
  code?: string;
  message?: string;
}

/** What an upstream error code may look like to be passed on: anything else may be text of any kind. */
export const CODE_SHAPE = /^[A-Za-z0-9._-]{1,32}$/;

const codeOf = (v: unknown): string | undefined => (typeof v === 'string' && CODE_SHAPE.test(v) ? v : typeof v === 'number' ? String(v) : undefined);

/** Flat `error_code/error_msg`, camel `errorCode/errorMsg`, nested `error.{code,message}`, Keystone `error.{code,title,message}`. */
export const readErrorBody = (body: unknown): UpstreamErrorFields => {
  const root = body;
  if (!isRecord(root)) return {};
  const flatCode = codeOf(root.error_code ?? root.errorCode);
  if (flatCode !== undefined) return { code: flatCode, message: sanitizeMessage(root.error_msg ?? root.errorMsg) };
  const nested = root.error;
  if (isRecord(nested)) return { code: codeOf(nested.code), message: sanitizeMessage(nested.message ?? nested.title) };
  return { code: codeOf(root.code), message: sanitizeMessage(root.message) };
};

/** The documented shapes of DRS, API gateway and IAM codes; only these survive a 5xx. */
const KNOWN_CODE = /^(?:DRS\.M\d{5}|APIGW?\.\d{4}|IAM\.\d{4})$/;

/**
 * What a 5xx may tell the caller: its status and a code of a documented shape, never its message. A server error's
 * text is where stack traces, internal hosts and library messages turn up, and no scrubbing can be trusted to catch
 * them all.
 */
export const serverErrorUpstream = (status: number, fields: UpstreamErrorFields): { status: number; error_code?: string } =>
  fields.code !== undefined && KNOWN_CODE.test(fields.code) ? { status, error_code: fields.code } : { status };

export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
