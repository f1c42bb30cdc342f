// The two DRS routes: recording, faults, APIG authentication, DRS validation, then the pre-check logic.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { apigError } from './apigErrors';
import { applyFault } from './applyFault';
import { batchPrecheck } from './batchPrecheck';
import { batchPrecheckResult } from './batchPrecheckResult';
import type { SimulatorContext } from './context';
import { authenticateDrs } from './drsAuth';
import { validatePrecheckBody, validateResultBody } from './drsValidation';
import type { DrsRoute } from './faults';
import { drsError, drsLanguage } from './messages';
import { JSON_TYPE, parseJson, readBody, send } from './respond';

const WITHOUT_REQUEST_ID: OutgoingHttpHeaders = { 'Content-Type': JSON_TYPE };

/** The job IDs a body names, in either route's shape; a fault may be aimed at one of them. */
const jobIdsOf = (body: unknown): string[] => {
  const jobs = (body as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) return [];
  return jobs.map((job: unknown) => (typeof job === 'string' ? job : (job as { job_id?: unknown } | null)?.job_id)).filter((id): id is string => typeof id === 'string');
};

export const DRS_PATH = /^\/v3\/([^/]+)\/jobs\/(batch-precheck|batch-precheck-result)$/;

export const handleDrs = async (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: DrsRoute,
  projectId: string,
): Promise<void> => {
  ctx.stats.countDrs(route);
  const requestId = ctx.nextRequestId();
  const language = drsLanguage(req.headers['x-language']);
  const text = await readBody(req);
  const parsed = text === 'too-large' ? undefined : parseJson(text);
  if (!ctx.fast) {
    const body = parsed === undefined ? undefined : parsed.ok ? parsed.value : parsed.raw || undefined;
    ctx.stats.record({ method: req.method ?? '', path: req.url ?? '', route, headers: req.headers, body, receivedAt: ctx.clock.now() });
  }

  const fault = ctx.faults.takeDrs(route, parsed?.ok ? jobIdsOf(parsed.value) : []);
  if (fault?.latencyMs) await ctx.delays.sleep(fault.latencyMs);
  if (fault !== undefined && applyFault(fault, { service: 'drs', requestId, language, iamErrorShape: 'flat' }, req, res)) return;

  const headers = fault?.kind === 'noRequestId' ? WITHOUT_REQUEST_ID : { 'Content-Type': JSON_TYPE, 'X-Request-Id': requestId };
  const reply = (status: number, body: string | object): void =>
    send(res, status, typeof body === 'string' ? body : JSON.stringify(body), headers);

  if (parsed === undefined) return reply(413, apigError('tooLarge', requestId));
  const auth = authenticateDrs(ctx, req.headers['x-auth-token'], projectId, requestId, language);
  if (!auth.ok) return reply(auth.status, auth.body);
  ctx.stats.countDrsUser(auth.user);
  if (!parsed.ok) return reply(400, drsError('DRS.M00007', language));

  if (route === 'batch-precheck') {
    const items = validatePrecheckBody(parsed.value, language);
    return items.ok ? reply(200, batchPrecheck(ctx, items.value, language)) : reply(400, items.error);
  }
  const ids = validateResultBody(parsed.value, language);
  return ids.ok ? reply(200, batchPrecheckResult(ctx, ids.value, language)) : reply(400, ids.error);
};
