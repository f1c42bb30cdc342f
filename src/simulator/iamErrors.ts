// IAM error bodies in the three shapes seen in the wild (reference §3.6); which one is sent is a fault switch.
import type { IamErrorShape } from './faults';

const IAM_ERRORS = {
  'IAM.0001': [401, 'The request you have made requires authentication.'],
  'IAM.0002': [403, 'You are not authorized to perform the requested action.'],
  'IAM.0004': [404, 'Could not find the requested resource.'],
  'IAM.0006': [500, 'An unexpected error prevented the server from fulfilling your request.'],
  'IAM.0011': [400, 'Request body is invalid.'],
  'IAM.0012': [429, 'The throttling threshold has been reached. Threshold: 10 times per 1 seconds'],
  'IAM.0062': [401, 'Incorrect password.'],
} as const satisfies Record<string, readonly [number, string]>;

export type IamErrorCode = keyof typeof IAM_ERRORS;

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface IamError {
  status: number;
  body: object;
}

/** `status` overrides the code's usual status (IAM "down" answers 503 with its generic internal-error code). */
export const iamError = (shape: IamErrorShape, code: IamErrorCode, status?: number): IamError => {
  const [usualStatus, message] = IAM_ERRORS[code];
  const finalStatus = status ?? usualStatus;
  switch (shape) {
    case 'flat':
      return { status: finalStatus, body: { error_msg: message, error_code: code } };
    case 'nested':
      return { status: finalStatus, body: { error: { code, message } } };
    case 'keystone':
      return { status: finalStatus, body: { error: { message, code: finalStatus, title: TITLES[finalStatus] ?? 'Error' } } };
  }
};

const IAM_CODE_BY_STATUS: Readonly<Record<number, IamErrorCode>> = {
  400: 'IAM.0011',
  401: 'IAM.0001',
  403: 'IAM.0002',
  404: 'IAM.0004',
  429: 'IAM.0012',
};

/** The body an IAM status fault sends when the test gave none. */
export const defaultIamError = (shape: IamErrorShape, status: number): IamError =>
  iamError(shape, IAM_CODE_BY_STATUS[status] ?? 'IAM.0006', status);
