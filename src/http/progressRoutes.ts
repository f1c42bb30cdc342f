// GET …/precheck-progress: live pre-check progress as server-sent events, one stream per caller request.
import type { Request, Response, Router } from 'express';
import { strictRouter } from './strictRouter';
import type { TokenVerifier } from '../auth';
import type { Clock } from '../clock';
import { ERROR_CATALOGUE } from '../errors/catalogue';
import { GatewayError } from '../errors/GatewayError';
import { problemBody } from '../errors/problem';
import type { ProgressEvent, ProgressHub, ProgressItem } from '../progress/ProgressHub';
import type { StreamSlots } from '../progress/StreamSlots';
import { ipKey } from '../rate-limit/createRateLimiters';
import { progressJobsQuerySchema } from '../validation/schemas';
import { validateField } from '../validation/validate';
import { admitProjectCaller, type RuntimeSource } from './admitProjectCaller';
import { methodNotAllowed } from './methodNotAllowed';
import { localsOf } from './requestContext';

export interface ProgressRoutesDeps {
  verifier: TokenVerifier;
  runtime: RuntimeSource;
  hub: ProgressHub;
  slots: StreamSlots;
  clock: Clock;
  heartbeatMs: number;
  /** Aborted when the gateway stops accepting connections: open streams end so the drain need not wait for them. */
  shutdown?: AbortSignal;
  /** After this long a stream ends with `event: end`, `{"reason":"max-lifetime"}`; the client reconnects. */
  maxStreamMs: number;
  errorTypeBase: string;
}

/** A job is finished when DRS says "100%", or answers for it with an error code. */
const isFinished = (item: ProgressItem): boolean =>
  item.process === '100%' || (typeof item.error_code === 'string' && item.error_code !== '');

const signature = (item: ProgressItem): string => JSON.stringify([item.process, item.total_passed_rate, item.result, item.error_code]);

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** setTimeout fires at once past this delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const progressRoutes = (deps: ProgressRoutesDeps): Router => {
  const router = strictRouter();
  const admit = admitProjectCaller(deps.verifier, deps.runtime);
  router
    .route('/v3/:project_id/jobs/precheck-progress')
    .get(
      // Charged once, at opening: a stream is one request however long it lasts.
      async (req: Request, res: Response) => {
        // Listened for before any await: a client that leaves during admission (a Redis round trip, say) must not
        // leave a watch behind, and 'close' will not fire a second time for a listener added later.
        let hungUp = false;
        let finish = (): void => undefined;
        res.once('close', () => {
          hungUp = true;
          finish();
        });
        const { caller, projectId, alongside: jobIds } = await admit(req, res, async () => validateField(progressJobsQuerySchema, req.query.jobs, { parameter: 'jobs' }));
        const lease = await deps.slots.open(caller.sub, ipKey(req.ip ?? req.socket.remoteAddress ?? ''));
        if (hungUp) {
          lease.release();
          return;
        }
        const locals = localsOf(res);
        const openedAt = deps.clock.now();
        res.status(200);
        res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
        res.setHeader('X-Accel-Buffering', 'no');
        res.flushHeaders();

        const sent = new Map<string, string>();
        const open = new Set(jobIds);
        /** An in-band error ends the stream; its access line (status 200) names the code the client received. */
        const problem = (error: GatewayError) => {
          locals.trail.errorCode = error.publicCode;
          return problemBody(error, { instance: req.originalUrl.split('?')[0] ?? '/', requestId: locals.requestId, language: locals.language, typeBase: deps.errorTypeBase });
        };
        let stop = (): void => undefined;
        let lifetime: NodeJS.Timeout | undefined;
        const heartbeat = setInterval(() => {
          if (checkLifetime()) return;
          lease.renew();
          res.write(': keep-alive\n\n');
        }, deps.heartbeatMs);
        finish = (): void => {
          finish = () => undefined;
          clearInterval(heartbeat);
          clearTimeout(lifetime);
          deps.shutdown?.removeEventListener('abort', onShutdown);
          stop();
          lease.release();
          res.end();
        };
        const endWith = (event: string, data: unknown): void => {
          res.write(frame(event, data));
          finish();
        };
        /** Ends the stream when the token has expired (as GW.1003 would refuse it) or the stream is too old; true when it did. */
        const checkLifetime = (): boolean => {
          const now = deps.clock.now();
          if (now >= caller.expiresAt) endWith('error', problem(new GatewayError('GW.1003')));
          else if (now - openedAt >= deps.maxStreamMs) endWith('end', { reason: 'max-lifetime' });
          else return false;
          return true;
        };
        const scheduleLifetime = (): void => {
          const now = deps.clock.now();
          const delay = Math.min(caller.expiresAt - now, openedAt + deps.maxStreamMs - now, MAX_TIMER_MS);
          lifetime = setTimeout(() => {
            if (!checkLifetime()) scheduleLifetime();
          }, Math.max(0, delay));
        };
        const finishJob = (jobId: string, data: Record<string, unknown>): void => {
          open.delete(jobId);
          deps.hub.unwatchJob(listener, jobId);
          res.write(frame('done', { job_id: jobId, ...data }));
          if (open.size === 0) finish();
        };
        const listener = (event: ProgressEvent): void => {
          if (event.kind === 'error') {
            endWith('error', problem(event.error));
            return;
          }
          const { jobId } = event;
          if (!open.has(jobId)) return;
          if (event.kind === 'unreadable') {
            finishJob(jobId, { error_code: 'GW.3004', error_msg: ERROR_CATALOGUE['GW.3004'].detail[locals.language] });
            return;
          }
          const { item } = event;
          const current = signature(item);
          if (sent.get(jobId) !== current) {
            sent.set(jobId, current);
            res.write(frame('progress', { job_id: jobId, ...item }));
          }
          if (isFinished(item)) finishJob(jobId, { result: item.result, total_passed_rate: item.total_passed_rate, error_code: item.error_code, error_msg: item.error_msg });
        };
        // The listener has closed: the client reconnects, and reaches an instance that still serves.
        const onShutdown = (): void => endWith('end', { reason: 'shutdown' });
        if (deps.shutdown?.aborted) {
          onShutdown();
          return;
        }
        deps.shutdown?.addEventListener('abort', onShutdown, { once: true });
        if (checkLifetime()) return;
        scheduleLifetime();
        stop = deps.hub.watch(projectId, jobIds, listener);
      },
    )
    .all(methodNotAllowed(['GET', 'HEAD']));
  return router;
};
