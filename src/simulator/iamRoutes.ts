// POST /v3/auth/tokens: password login for a configured user, answering 201 with X-Subject-Token, or an IAM error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { applyFault } from './applyFault';
import type { SimulatorContext } from './context';
import { iamError, type IamErrorCode } from './iamErrors';
import { iamTokenBody, SIMULATED_REGION } from './iamTokenBody';
import { readIamTokenRequest, type IamTokenRequest } from './iamTokenRequest';
import { parseJson, readBody, sendJson, withRequestId } from './respond';
import { stableId } from './stableId';
import type { TokenScope } from './tokens';

const projectScope = (request: IamTokenRequest): TokenScope | null => {
  if (request.scope === null || !('project' in request.scope)) return null;
  const { id, name } = request.scope.project;
  return {
    projectId: id ?? stableId('project', `${request.domain}/${name ?? ''}`),
    projectName: name ?? SIMULATED_REGION,
  };
};

const domainScope = (request: IamTokenRequest): { id: string; name: string } | null =>
  request.scope !== null && 'domain' in request.scope
    ? { id: stableId('domain', request.domain), name: request.domain }
    : null;

export const handleIamTokens = async (ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse, query: string): Promise<void> => {
  ctx.stats.countIam();
  const requestId = ctx.nextRequestId();
  const text = await readBody(req);
  const fault = ctx.faults.takeIam();
  if (fault?.latencyMs) await ctx.delays.sleep(fault.latencyMs);
  const shape = ctx.faults.iamErrorShape();
  if (fault !== undefined && applyFault(fault, { service: 'iam', requestId, language: 'en-us', iamErrorShape: shape }, req, res)) return;

  const headerId = fault?.kind === 'noRequestId' ? undefined : requestId;
  const fail = (code: IamErrorCode): void => {
    const error = iamError(shape, code);
    sendJson(res, error.status, error.body, withRequestId(headerId));
  };
  if (text === 'too-large') return fail('IAM.0011');
  const parsed = parseJson(text);
  const request = parsed.ok ? readIamTokenRequest(parsed.value) : null;
  if (request === null) return fail('IAM.0011');

  const user = ctx.users.find((candidate) => candidate.domain === request.domain && candidate.name === request.name);
  if (user === undefined || user.password !== request.password) return fail('IAM.0062');

  const record = ctx.tokens.issue(user, projectScope(request), ctx.faults.takeTokenTtl() ?? ctx.tokenTtlMs);
  const noCatalog = (new URLSearchParams(query).get('nocatalog') ?? '') !== '';
  const body = iamTokenBody(record, domainScope(request), noCatalog, ctx.baseUrl());
  sendJson(res, 201, body, withRequestId(headerId, { 'X-Subject-Token': record.token }));
};
