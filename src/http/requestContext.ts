// Gives every request an id (the caller's when safe, else a new one) and the language its errors are written in.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Caller } from '../auth/Caller';
import type { Language } from '../errors/catalogue';
import type { RequestTrail } from '../telemetry/RequestTrail';
import { SAFE_TOKEN_PATTERN } from '../validation/schemas';

export interface RequestLocals {
  requestId: string;
  language: Language;
  caller?: Caller;
  /** What the request did, for its access line (and the audit line of a pre-check). */
  trail: RequestTrail;
}

/** 16 hex digits; randomUUID draws from a pre-filled entropy pool, unlike randomBytes on every call. */
export const newRequestId = (): string => randomUUID().replace(/-/g, '').slice(0, 16);

export const localsOf = (res: Response): RequestLocals => res.locals as RequestLocals;

export const requestContext = (req: Request, res: Response, next: NextFunction): void => {
  const offered = req.get('x-request-id');
  const requestId = offered !== undefined && SAFE_TOKEN_PATTERN.test(offered) ? offered : newRequestId();
  const locals = localsOf(res);
  locals.requestId = requestId;
  locals.trail = {};
  // An invalid X-Language is itself reported (400) by the routes that read it; errors then fall back to English.
  locals.language = req.get('x-language') === 'zh-cn' ? 'zh-cn' : 'en-us';
  res.setHeader('X-Request-Id', requestId);
  next();
};
