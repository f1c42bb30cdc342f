// One request to a DRS route of the table: recording, faults, APIG authentication, then the route's behaviour.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { DrsRouteName, DrsRouteRow, DrsRouteTable } from '../drs/drsRouteTable';
import { apigError } from './apigErrors';
import { applyFault } from './applyFault';
import type { SimulatorContext } from './context';
import { authenticateDrs } from './drsAuth';
import type { DrsBehaviour } from './drsBehaviour';
import { drsError, drsLanguage } from './messages';
import { JSON_TYPE, parseJson, readBody, send } from './respond';

const WITHOUT_REQUEST_ID: OutgoingHttpHeaders = { 'Content-Type': JSON_TYPE };

/** The job IDs a body names, in either route's shape; a fault may be aimed at one of them. */
const jobIdsOf = (body: unknown): string[] => {
  const jobs = (body as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobs)) return [];
  return jobs.map((job: unknown) => (typeof job === 'string' ? job : (job as { job_id?: unknown } | null)?.job_id)).filter((id): id is string => typeof id === 'string');
};

/** A row of the route table with what DRS does for it. */
export interface SimulatedDrsRoute {
  name: DrsRouteName;
  method: DrsRouteRow['method'];
  behaviour: DrsBehaviour;
}

/** Every DRS path has this shape; the last segment picks the route, and a name no row has is APIG's 404. */
export const DRS_PATH = /^\/v3\/([^/]+)\/jobs\/([^/]+)$/;

/** Built once per simulator: each row of the table by its name. A row without a behaviour stops the start. */
export const simulatedDrsRoutes = (table: DrsRouteTable, behaviour: Readonly<Record<string, DrsBehaviour>>): ReadonlyMap<string, SimulatedDrsRoute> =>
  new Map(
    table.map((row) => {
      const answer = behaviour[row.name];
      if (answer === undefined) throw new Error(`the simulator has no behaviour for the DRS route ${row.name}`);
      return [row.name, { name: row.name, method: row.method, behaviour: answer }];
    }),
  );

export const handleDrs = async (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  { name: route, behaviour }: SimulatedDrsRoute,
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
  const answer = behaviour(ctx, parsed.value, language);
  return reply(answer.status, answer.body);
};
