// Authorization checks on an authenticated Caller; the HTTP layer runs them before any upstream or IAM call.
import { GatewayError } from '../errors/GatewayError';
import type { Caller } from './Caller';

export type RequiredScope = 'drs:precheck' | 'gateway:admin';

export const requireScope = (caller: Caller, scope: RequiredScope): void => {
  if (caller.scopes.has(scope)) return;
  throw new GatewayError('GW.1004', {
    detail: { 'en-us': `The token lacks the ${scope} scope.`, 'zh-cn': `令牌缺少 ${scope} 权限范围。` },
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
  });
};

export const requireProject = (caller: Caller, projectId: string): void => {
  if (caller.projects === 'all' || caller.projects.has(projectId)) return;
  throw new GatewayError('GW.1005');
};
