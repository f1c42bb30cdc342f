// Which admin routes a token may call: `gateway:admin` every one, `gateway:admin:read` those that change nothing (contract §10).
import { requireScope, type Caller } from '../auth';

export const ADMIN_READ_SCOPE = 'gateway:admin:read';

/** `read`: a route that changes nothing; `admin`: one that acts. */
export type AdminAccess = 'read' | 'admin';

/** A refusal is 403 GW.1004 naming `gateway:admin`, the scope that opens every route. */
export const requireAdminAccess = (caller: Caller, access: AdminAccess): void => {
  if (access === 'read' && caller.scopes.has(ADMIN_READ_SCOPE)) return;
  requireScope(caller, 'gateway:admin');
};
