// Gives every request an id (the caller's when safe, else a new one) and the language its errors are written in.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Caller } from '../auth/Caller';
import type { Language } from '../errors/catalogue';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface RequestLocals {
  requestId: string;
  language: Language;
  caller?: Caller;
}

export const localsOf = (res: Response): RequestLocals => res.locals as RequestLocals;

export const requestContext = (req: Request, res: Response, next: NextFunction): void => {
  const offered = req.get('x-request-id');
  const requestId = offered !== undefined && SAFE_REQUEST_ID.test(offered) ? offered : randomBytes(8).toString('hex');
  const locals = localsOf(res);
  locals.requestId = requestId;
  // An invalid X-Language is itself reported (400) by the routes that read it; errors then fall back to English.
  locals.language = req.get('x-language') === 'zh-cn' ? 'zh-cn' : 'en-us';
  res.setHeader('X-Request-Id', requestId);
  next();
};
