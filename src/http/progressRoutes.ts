// GET …/precheck-progress: live pre-check progress as server-sent events, one stream per caller request.
import type { Request, Response, Router } from 'express';
import { strictRouter } from './strictRouter';
import type { TokenVerifier } from '../auth';
import { problemBody } from '../errors/problem';
import type { ProgressEvent, ProgressHub, ProgressItem } from '../progress/ProgressHub';
import { progressJobsQuerySchema } from '../validation/schemas';
import { validateField } from '../validation/validate';
import { admitProjectCaller, type RuntimeSource } from './admitProjectCaller';
import { methodNotAllowed } from './methodNotAllowed';
import { localsOf } from './requestContext';

export interface ProgressRoutesDeps {
  verifier: TokenVerifier;
  runtime: RuntimeSource;
  hub: ProgressHub;
  heartbeatMs: number;
  /** Aborted when the gateway stops accepting connections: open streams end so the drain need not wait for them. */
  shutdown?: AbortSignal;
  errorTypeBase: string;
}

/** A job is finished when DRS says "100%", or answers for it with an error code. */
const isFinished = (item: ProgressItem): boolean =>
  item.process === '100%' || (typeof item.error_code === 'string' && item.error_code !== '');

const signature = (item: ProgressItem): string => JSON.stringify([item.process, item.total_passed_rate, item.result, item.error_code]);

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export const progressRoutes = (deps: ProgressRoutesDeps): Router => {
  const router = strictRouter();
  const admit = admitProjectCaller(deps.verifier, deps.runtime);
  router
    .route('/v3/:project_id/jobs/precheck-progress')
    .get(
      // Charged once, at opening: a stream is one request however long it lasts.
      async (req: Request, res: Response) => {
        const { projectId, alongside: jobIds } = await admit(req, res, async () => validateField(progressJobsQuerySchema, req.query.jobs, { parameter: 'jobs' }));
        const locals = localsOf(res);
        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('X-Accel-Buffering', 'no');
        res.flushHeaders();

        const sent = new Map<string, string>();
        const open = new Set(jobIds);
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), deps.heartbeatMs);
        let stop = (): void => undefined;
        const close = (): void => {
          clearInterval(heartbeat);
          deps.shutdown?.removeEventListener('abort', close);
          stop();
          res.end();
        };
        if (deps.shutdown?.aborted) {
          close();
          return;
        }
        deps.shutdown?.addEventListener('abort', close, { once: true });
        const listener = (event: ProgressEvent): void => {
          if (event.kind === 'error') {
            res.write(frame('error', problemBody(event.error, { instance: req.originalUrl.split('?')[0] ?? '/', requestId: locals.requestId, language: locals.language, typeBase: deps.errorTypeBase })));
            close();
            return;
          }
          const { jobId, item } = event;
          if (!open.has(jobId)) return;
          const current = signature(item);
          if (sent.get(jobId) !== current) {
            sent.set(jobId, current);
            res.write(frame('progress', { job_id: jobId, ...item }));
          }
          if (!isFinished(item)) return;
          open.delete(jobId);
          deps.hub.unwatchJob(listener, jobId);
          res.write(frame('done', { job_id: jobId, result: item.result, total_passed_rate: item.total_passed_rate, error_code: item.error_code, error_msg: item.error_msg }));
          if (open.size === 0) close();
        };
        stop = deps.hub.watch(projectId, jobIds, listener);
        req.on('close', () => {
          clearInterval(heartbeat);
          deps.shutdown?.removeEventListener('abort', close);
          stop();
        });
      },
    )
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
