// Errors raised by the API gateway in front of DRS (reference §2.4): APIG codes, English only, with a request_id.
const APIG_ERRORS = {
  notFound: ['APIG.0101', 'The API does not exist or has not been published in the environment.'],
  tooLarge: ['APIG.0201', 'Request entity too large'],
  backendUnavailable: ['APIG.0201', 'Backend unavailable'],
  backendTimeout: ['APIG.0201', 'Backend timeout'],
  tokenNotFound: ['APIG.0301', 'Incorrect IAM authentication information: x-auth-token not found'],
  decryptFail: ['APIG.0301', 'Incorrect IAM authentication information: decrypt token fail'],
  notAuthorized: ['APIG.0302', 'The IAM user is not authorized to access the API.'],
  tokenMustBeUpdated: ['APIG.0307', 'The token must be updated.'],
  throttled: ['APIG.0308', 'The throttling threshold has been reached: policy user over ratelimit,limit:20,time:1 second'],
  internal: ['APIG.0601', 'Internal server error.'],
} as const satisfies Record<string, readonly [string, string]>;

export type ApigError = keyof typeof APIG_ERRORS;

export interface ApigErrorBody {
  error_code: string;
  error_msg: string;
  request_id: string;
}

export const apigError = (error: ApigError, requestId: string): ApigErrorBody => {
  const [code, message] = APIG_ERRORS[error];
  return { error_code: code, error_msg: message, request_id: requestId };
};

const APIG_ERROR_BY_STATUS: Readonly<Record<number, ApigError>> = {
  401: 'decryptFail',
  403: 'notAuthorized',
  404: 'notFound',
  413: 'tooLarge',
  429: 'throttled',
  500: 'internal',
  502: 'backendUnavailable',
  503: 'backendUnavailable',
  504: 'backendTimeout',
};

/** The body a DRS status fault sends when the test gave none: what the gateway or DRS would say with that status. */
export const defaultDrsErrorBody = (status: number, requestId: string): object => {
  const apig = APIG_ERROR_BY_STATUS[status];
  if (apig !== undefined) return apigError(apig, requestId);
  return status >= 500
    ? { error_code: 'DRS.M00004', error_msg: 'Service is abnormal. Check logs.' }
    : { error_code: 'DRS.M00007', error_msg: 'Invalid request parameter.' };
};
