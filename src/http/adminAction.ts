// One admin route as one function: the IP limiter, the token and its scope, the work, then exactly one audit line however it ended.
import type { Request, Response } from 'express';
import type { RequiredScope, TokenVerifier } from '../auth';
import type { AuditLog } from '../telemetry/AuditLog';
import type { RuntimeSource } from './admitProjectCaller';
import { authenticate } from './authenticate';
import { chargeLimits } from './chargeLimits';
import { localsOf } from './requestContext';
import { toGatewayError } from './toGatewayError';

export interface AdminActionDeps {
  verifier: TokenVerifier;
  /** The IP limiter comes from the running configuration. */
  runtime: RuntimeSource;
  audit: AuditLog;
  /** The running configuration's hash, named in every line (after a reload: the new one). */
  version: () => string;
}

/** What the work adds to its audit line: names, ids and numbers only (never a header, a body or a secret), and the message. */
export interface AuditNote {
  fields: Record<string, unknown>;
  message?: string;
}

/** The scope of the admin routes that change nothing (gateway:admin holds it too), and of those that do. */
export const READ_SCOPE: RequiredScope = 'gateway:admin:read';
export const ADMIN_SCOPE: RequiredScope = 'gateway:admin';

export type AdminWork = (req: Request, res: Response, note: AuditNote) => Promise<void> | void;

/** What the call acts on, as its path names it (a caller's sub, a project): in the line however the call ended, a refusal included. */
export type AdminTarget = (req: Request) => Record<string, unknown>;

/**
 * The line is written when the work has settled, before the answer leaves: a caller that hangs up cannot lose it, and
 * a refusal (401, 403 for the scope, the IP limiter's 429, a 4xx of the work) gets its line with `status` and `code`
 * like any other outcome. `requestId` ties it to the access line and to the answer's X-Request-Id.
 */
export const adminAction =
  (deps: AdminActionDeps) =>
  (action: string, scope: RequiredScope, work: AdminWork, target?: AdminTarget) =>
  async (req: Request, res: Response): Promise<void> => {
    const note: AuditNote = { fields: { ...target?.(req) } };
    const write = (status: number, code?: string): void => {
      const locals = localsOf(res);
      const outcome = status < 400 ? 'success' : 'failure';
      deps.audit.info(
        { audit: 'admin', caller: locals.caller?.sub, action, outcome, status, code, requestId: locals.requestId, version: deps.version(), ...note.fields },
        note.message ?? `${action} ${status < 400 ? 'done' : status < 500 ? 'refused' : 'failed'}`,
      );
    };
    try {
      const refusal = await chargeLimits([deps.runtime.current().limiters.ipLimiter], req, res);
      if (refusal !== undefined) throw refusal;
      await authenticate(deps.verifier, scope, req, res);
      await work(req, res, note);
    } catch (error) {
      const failure = toGatewayError(error, req);
      write(failure.status, failure.publicCode);
      throw error;
    }
    write(res.statusCode);
  };
