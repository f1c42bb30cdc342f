// One access-log line per request, written when the response finishes; headers are never logged.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { localsOf } from './requestContext';

/**
 * Hand-written rather than pino-http: pino-http builds a child logger for every request, which the
 * benchmark showed as a measurable share of the gateway's per-request CPU (docs/performance.md).
 */
export const accessLog = (logger: Logger) =>
  (req: Request, res: Response, next: NextFunction): void => {
    if (!logger.isLevelEnabled('info')) {
      next();
      return;
    }
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const locals = localsOf(res);
      const status = res.statusCode;
      logger[status >= 500 ? 'error' : 'info'](
        {
          req: { id: locals.requestId, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: status },
          responseTime: Number(process.hrtime.bigint() - started) / 1e6,
          caller: locals.caller?.sub,
        },
        'request completed',
      );
    });
    next();
  };
