// /__sim/*: drive a simulator running in another process (npm run simulator, docker-compose) over HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatorContext } from './context';
import { JOB_ID_PATTERN } from './drsValidation';
import { parseFaultSettings } from './faultSchema';
import { isRecord } from '../isRecord';
import { isJobStatus } from './jobStatus';
import type { PrecheckOutcome } from './jobStore';
import { parseJson, readBody, send, sendJson } from './respond';

const OUTCOMES: readonly PrecheckOutcome[] = ['pass', 'alarm', 'fail'];

const readJson = async (req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false }> => {
  const text = await readBody(req);
  return text === 'too-large' ? { ok: false } : parseJson(text);
};

const noContent = (res: ServerResponse): void => send(res, 204, '', {});
const problem = (res: ServerResponse, status: number, error: string, problems?: string[]): void =>
  sendJson(res, status, problems === undefined ? { error } : { error, problems });

const putFaults = async (ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const body = await readJson(req);
  if (!body.ok) return problem(res, 400, 'body must be JSON fault settings');
  const parsed = parseFaultSettings(body.value, [...ctx.drsRoutes.values()].map((route) => route.name));
  if (!parsed.ok) return problem(res, 400, 'invalid fault settings', parsed.problems);
  ctx.faults.set(parsed.settings);
  sendJson(res, 200, ctx.faults.snapshot());
};

const putJob = async (ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
  const body = await readJson(req);
  const value = body.ok ? body.value : undefined;
  if (!isRecord(value) || !isJobStatus(value.status)) return problem(res, 400, 'body must be {"status": <DRS job status>, "outcome"?: "pass"|"alarm"|"fail"}');
  const outcome = OUTCOMES.find((candidate) => candidate === value.outcome);
  if (value.outcome !== undefined && outcome === undefined) return problem(res, 400, 'outcome must be pass, alarm or fail');
  ctx.jobs.set({ id, status: value.status, outcome: outcome ?? 'pass' });
  sendJson(res, 200, ctx.jobs.get(id));
};

export const handleControl = async (ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
  const route = `${req.method ?? ''} ${path}`;
  const jobId = /^\/__sim\/jobs\/([^/]+)$/.exec(path)?.[1];
  if (jobId !== undefined && JOB_ID_PATTERN.test(jobId)) {
    if (req.method === 'PUT') return putJob(ctx, req, res, jobId);
    const job = req.method === 'GET' ? ctx.jobs.get(jobId) : undefined;
    return job === undefined ? problem(res, 404, 'no such job') : sendJson(res, 200, job);
  }
  switch (route) {
    case 'GET /__sim/faults':
      return sendJson(res, 200, ctx.faults.snapshot());
    case 'PUT /__sim/faults':
      return putFaults(ctx, req, res);
    case 'DELETE /__sim/faults':
      ctx.faults.clear();
      return noContent(res);
    case 'GET /__sim/stats':
      return sendJson(res, 200, ctx.stats.snapshot());
    case 'DELETE /__sim/stats':
      ctx.stats.reset();
      return noContent(res);
    case 'GET /__sim/starts':
      return sendJson(res, 200, { starts: ctx.jobs.starts() });
    case 'POST /__sim/revoke-tokens':
      return sendJson(res, 200, { revoked: ctx.tokens.revokeAll() });
    case 'GET /__sim/redirected':
    case 'POST /__sim/redirected':
      return sendJson(res, 200, { redirected: true });
    default:
      return problem(res, 404, 'no such simulator control route');
  }
};
