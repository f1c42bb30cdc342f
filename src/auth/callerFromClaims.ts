// Reduces a verified JWT payload to the Caller: subject, scopes (`scope` or `scp`) and allowed projects.
import type { Caller } from './Caller';
import { SAFE_TOKEN_PATTERN } from '../validation/schemas';
import { invalidToken } from './invalidToken';

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];

/**
 * Space-separated per RFC 8693; some identity providers also put a space-separated string in `scp`. Groups claims
 * take the same two forms (an array, or one space-separated string), so a group name cannot contain a space.
 */
export const stringList = (value: unknown): string[] =>
  typeof value === 'string' ? value.split(/\s+/).filter((scope) => scope !== '') : stringsOf(value);

const clientOf = (claims: Readonly<Record<string, unknown>>): string | undefined => {
  const client = claims.azp ?? claims.client_id;
  return typeof client === 'string' && SAFE_TOKEN_PATTERN.test(client) ? client : undefined;
};

export const callerFromClaims = (claims: Readonly<Record<string, unknown>>, expiresAt: number): Caller => {
  const { sub } = claims;
  if (typeof sub !== 'string' || sub.trim() === '') throw invalidToken('missingSubject');
  const projects = stringsOf(claims.projects);
  return {
    sub,
    scopes: new Set([...stringList(claims.scope), ...stringList(claims.scp)]),
    projects: projects.includes('*') ? 'all' : new Set(projects),
    expiresAt,
    client: clientOf(claims),
    claims,
  };
};
