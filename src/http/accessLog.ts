// When a response finishes: one access-log line and one histogram sample, from one timer; headers are never logged.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { PromMetrics } from '../metrics/PromMetrics';
import { localsOf } from './requestContext';

/**
 * Hand-written rather than pino-http: pino-http builds a child logger for every request, which the
 * benchmark showed as a measurable share of the gateway's per-request CPU (docs/performance.md).
 * Route patterns, never raw paths, label the histogram, so project IDs cannot explode its cardinality.
 */
export const accessLog = (logger: Logger, metrics: PromMetrics) => {
  const logging = logger.isLevelEnabled('info');
  // The line's fields are fixed and hold no secret (the trail holds only words, names and numbers), so the root
  // logger's path redaction (half the cost of a line, measured) is switched off for this child alone.
  const lines = logger.child({}, { redact: { paths: [] } });
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.statusCode;
      const route = typeof req.route?.path === 'string' ? req.route.path : 'unmatched';
      metrics.observeRequest(route, req.method, status, ms / 1000);
      if (!logging) return;
      const { requestId, caller, trail } = localsOf(res);
      lines[status >= 500 ? 'error' : 'info'](
        {
          req: { id: requestId, method: req.method, url: req.originalUrl, route, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: status },
          responseTime: ms,
          caller: caller?.sub,
          client: caller?.client,
          project: trail.projectId,
          region: trail.region,
          code: trail.errorCode,
          limiter: trail.limiter,
          tokenSource: trail.tokenSource,
          // Only when tracing is on: the trace this request belongs to, to go from the line to its spans.
          traceId: trail.trace?.span.spanContext().traceId,
          upstream:
            trail.upstreamMs === undefined ? undefined : { statusCode: trail.upstreamStatus, responseTime: trail.upstreamMs, requestId: trail.upstreamRequestId },
        },
        'request completed',
      );
    });
    next();
  };
};
