// Authorization checks on an authenticated Caller; the HTTP layer runs them before any upstream or IAM call.
import { GatewayError } from '../errors/GatewayError';
import type { Caller } from './Caller';
import { stringList } from './callerFromClaims';

export type RequiredScope = 'drs:precheck' | 'gateway:admin' | 'gateway:admin:read';

/** The scopes that satisfy each requirement: gateway:admin may do all that gateway:admin:read may. */
const GRANTED_BY: Readonly<Record<RequiredScope, readonly string[]>> = {
  'drs:precheck': ['drs:precheck'],
  'gateway:admin': ['gateway:admin'],
  'gateway:admin:read': ['gateway:admin:read', 'gateway:admin'],
};

export const requireScope = (caller: Caller, scope: RequiredScope): void => {
  if (GRANTED_BY[scope].some((granted) => caller.scopes.has(granted))) return;
  throw new GatewayError('GW.1004', {
    detail: { 'en-us': `The token lacks the ${scope} scope.`, 'zh-cn': `令牌缺少 ${scope} 权限范围。` },
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
  });
};

export interface AccessSettings {
  /** The claim holding the caller's identity-provider groups: an array of strings or one space-separated string. */
  groupsClaim?: string;
  /** Group -> project IDs it grants; `["*"]` grants every project. */
  groups: Readonly<Record<string, readonly string[]>>;
}

/** Whether a caller may act on a project: its `projects` claim, or one of its groups. */
export type ProjectAccess = (caller: Caller, projectId: string) => boolean;

export const createProjectAccess = (settings: AccessSettings): ProjectAccess => {
  const { groupsClaim } = settings;
  const grants = new Map(Object.entries(settings.groups).map(([group, projects]) => [group, projects.includes('*') ? ('all' as const) : new Set(projects)]));
  return (caller, projectId) => {
    if (caller.projects === 'all' || caller.projects.has(projectId)) return true;
    if (groupsClaim === undefined) return false;
    return stringList(caller.claims[groupsClaim]).some((group) => {
      const granted = grants.get(group);
      return granted === 'all' || granted?.has(projectId) === true;
    });
  };
};

/** A project the caller is not granted, or one the gateway does not serve, is the same 403: nothing tells them apart. */
export const requireProject = (caller: Caller, projectId: string, access: ProjectAccess, served: boolean): void => {
  if (served && access(caller, projectId)) return;
  throw new GatewayError('GW.1005');
};
