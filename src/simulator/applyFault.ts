// Makes a response misbehave as a DRS or IAM fault says; tells the caller whether normal handling should go on.
import { STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { apigError, defaultDrsErrorBody } from './apigErrors';
import type { DrsFault, IamErrorShape, IamFault } from './faults';
import { defaultIamError, iamError } from './iamErrors';
import { drsError, type DrsLanguage } from './messages';
import { JSON_TYPE, mergeHeaders, send, sendJson, withRequestId } from './respond';

export interface FaultTarget {
  service: 'drs' | 'iam';
  requestId: string;
  language: DrsLanguage;
  iamErrorShape: IamErrorShape;
}

const htmlPage = (status: number): string => {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
};

const TRUNCATED = {
  drs: '{"results":[{"id":"140b5236-88ad-43c8-811c-1268453jb101","status":"succ',
  iam: '{"token":{"expires_at":"2020-01-04T09:05',
};

const WRONG_SHAPE = {
  drs: '{"job_results":[],"total":0}',
  iam: '{"token":{"methods":["password"]}}',
};

const DEFAULT_OVERSIZE_BYTES = 5 * 1024 * 1024;

/** Valid JSON of exactly `bytes` (when bytes allows the envelope), so the size, not a parse error, is what a client trips on. */
const oversizeBody = (bytes: number): Buffer => {
  const head = '{"results":[],"count":0,"padding":"';
  const tail = '"}';
  const body = Buffer.alloc(Math.max(bytes, head.length + tail.length), 'x');
  body.write(head, 0);
  body.write(tail, body.length - tail.length);
  return body;
};

const CUT_OFF_BODY = {
  drs: '{"results":[{"id":"140b5236-88ad-43c8-811c-1268453jb101","status":"success","precheck_id":"140b5236-88ad-43c8-811c-1268453jb101"}],"count":1}',
  iam: '{"token":{"expires_at":"2099-01-01T00:00:00.000000Z","methods":["password"]}}',
};

/** Headers and the first half of the body go out; the socket dies once they have been written, as when a backend crashes mid-answer. */
const cutOff = (res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders): void => {
  res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.write(body.slice(0, body.length / 2), () => res.socket?.destroy());
};

const successStatus = (target: FaultTarget): number => (target.service === 'iam' ? 201 : 200);

const sendError = (res: ServerResponse, target: FaultTarget, status: number, body: object, extra: OutgoingHttpHeaders = {}): void =>
  sendJson(res, status, body, withRequestId(target.requestId, extra));

/** Returns true when the fault has dealt with the request (answered, dropped or left hanging). */
export const applyFault = (fault: DrsFault | IamFault, target: FaultTarget, req: IncomingMessage, res: ServerResponse): boolean => {
  const headers = withRequestId(target.requestId);
  switch (fault.kind) {
    case undefined:
    case 'noRequestId':
      return false;
    case 'status': {
      const fallback =
        target.service === 'iam' ? defaultIamError(target.iamErrorShape, fault.status).body : defaultDrsErrorBody(fault.status, target.requestId);
      const body = fault.body === undefined ? fallback : fault.body;
      sendJson(res, fault.status, body, mergeHeaders(headers, fault.headers ?? {}));
      return true;
    }
    case 'html': {
      const status = fault.status ?? 502;
      send(res, status, htmlPage(status), { ...headers, 'Content-Type': 'text/html' });
      return true;
    }
    case 'malformed':
      send(res, successStatus(target), TRUNCATED[target.service], { ...headers, 'Content-Type': JSON_TYPE });
      return true;
    case 'wrongShape':
      send(res, successStatus(target), WRONG_SHAPE[target.service], { ...headers, 'Content-Type': JSON_TYPE });
      return true;
    case 'oversize':
      send(res, successStatus(target), oversizeBody(fault.bytes ?? DEFAULT_OVERSIZE_BYTES), { ...headers, 'Content-Type': JSON_TYPE });
      return true;
    case 'redirect':
      send(res, fault.status ?? 302, '', { ...headers, Location: fault.location ?? '/__sim/redirected' });
      return true;
    case 'drop':
      req.socket.destroy();
      return true;
    case 'cutOff':
      cutOff(res, successStatus(target), CUT_OFF_BODY[target.service], headers);
      return true;
    case 'hang':
      return true;
    case 'unauthorized':
      if (target.service === 'iam') {
        const error = iamError(target.iamErrorShape, 'IAM.0001');
        sendError(res, target, error.status, error.body);
      } else {
        sendError(res, target, 401, apigError('decryptFail', target.requestId));
      }
      return true;
    case 'throttle': {
      const retryAfter = fault.retryAfter === undefined ? '7' : fault.retryAfter;
      const extra = retryAfter === null ? {} : { 'Retry-After': retryAfter };
      const body = target.service === 'iam' ? iamError(target.iamErrorShape, 'IAM.0012').body : apigError('throttled', target.requestId);
      sendError(res, target, 429, body, extra);
      return true;
    }
    case 'drsThrottle':
      sendError(res, target, 400, drsError('DRS.M01503', target.language));
      return true;
    case 'down': {
      const error = iamError(target.iamErrorShape, 'IAM.0006', 503);
      sendError(res, target, error.status, error.body);
      return true;
    }
    case 'badCredentials': {
      const error = iamError(target.iamErrorShape, 'IAM.0062');
      sendError(res, target, error.status, error.body);
      return true;
    }
  }
};
