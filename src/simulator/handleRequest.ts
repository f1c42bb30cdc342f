// Dispatches every request of one simulator instance to IAM, a DRS route of the table, the control routes, or APIG's 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apigError } from './apigErrors';
import type { SimulatorContext } from './context';
import { DRS_PATH, handleDrs } from './handleDrs';
import { handleControl } from './controlRoutes';
import { handleIamTokens } from './iamRoutes';
import { sendJson, withRequestId } from './respond';

const routeRequest = (ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> | void => {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  if (req.method === 'POST' && path === '/v3/auth/tokens') return handleIamTokens(ctx, req, res, queryAt < 0 ? '' : url.slice(queryAt + 1));
  const [, projectId, name] = DRS_PATH.exec(path) ?? [];
  const route = name === undefined ? undefined : ctx.drsRoutes.get(name);
  if (route !== undefined && projectId !== undefined && req.method === route.method) return handleDrs(ctx, req, res, route, projectId);
  if (path.startsWith('/__sim/')) return handleControl(ctx, req, res, path);
  // APIG matches method and path together, so a wrong method is the same 404 as an unknown path.
  req.resume();
  const requestId = ctx.nextRequestId();
  sendJson(res, 404, apigError('notFound', requestId), withRequestId(requestId));
};

/** A handler that throws is a simulator bug; the socket is cut rather than leaving the client waiting. */
export const createRequestHandler =
  (ctx: SimulatorContext) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    Promise.resolve(routeRequest(ctx, req, res)).catch(() => req.socket.destroy());
  };
