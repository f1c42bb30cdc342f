// Token checks made in front of DRS (reference §2.4, §2.5): APIG answers 401s, DRS itself the 403 for a foreign project.
import { apigError } from './apigErrors';
import type { IamUser } from './IamUser';
import type { SimulatorContext } from './context';
import { drsError, type DrsLanguage } from './messages';

export type DrsAuthResult = { ok: true; user: IamUser } | { ok: false; status: number; body: object };

export const authenticateDrs = (
  ctx: SimulatorContext,
  tokenHeader: string | string[] | undefined,
  projectId: string,
  requestId: string,
  language: DrsLanguage,
): DrsAuthResult => {
  if (tokenHeader === undefined || tokenHeader === '') return { ok: false, status: 401, body: apigError('tokenNotFound', requestId) };
  const check = typeof tokenHeader === 'string' ? ctx.tokens.check(tokenHeader) : ({ ok: false, reason: 'unknown' } as const);
  if (!check.ok) {
    const error = check.reason === 'unknown' ? 'decryptFail' : 'tokenMustBeUpdated';
    return { ok: false, status: 401, body: apigError(error, requestId) };
  }
  if (check.record.scope?.projectId !== projectId) return { ok: false, status: 403, body: drsError('DRS.M00261', language) };
  return { ok: true, user: check.record.user };
};
