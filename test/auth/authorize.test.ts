// Scope and project checks on an authenticated caller.
import { createProjectAccess, requireProject, requireScope } from '../../src/auth/authorize';
import type { Caller } from '../../src/auth/Caller';
import { GatewayError } from '../../src/errors/GatewayError';

const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
const OTHER = 'a4a5d4098fb4474fa22cd05f897d6b99';
const caller = (scopes: string[], projects: Caller['projects'], claims: Record<string, unknown> = {}): Caller => ({
  sub: 'svc',
  scopes: new Set(scopes),
  projects,
  claims,
  expiresAt: Number.MAX_SAFE_INTEGER,
});
const byClaim = createProjectAccess({ groups: {} });

const thrown = (action: () => void): GatewayError => {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError to be thrown');
};

describe('requireScope', () => {
  it('passes when the caller holds the scope', () => {
    expect(() => requireScope(caller(['drs:precheck'], 'all'), 'drs:precheck')).not.toThrow();
  });

  it('refuses with GW.1004 (403) naming the missing scope', () => {
    const error = thrown(() => requireScope(caller(['drs:precheck'], 'all'), 'gateway:admin'));
    expect(error.code).toBe('GW.1004');
    expect(error.status).toBe(403);
    expect(error.options.detail?.['en-us']).toBe('The token lacks the gateway:admin scope.');
    expect(error.options.headers?.['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="gateway:admin"');
  });

  it('lets gateway:admin:read or gateway:admin through to a read-only admin route, and only gateway:admin to the others', () => {
    expect(() => requireScope(caller(['gateway:admin:read'], 'all'), 'gateway:admin:read')).not.toThrow();
    expect(() => requireScope(caller(['gateway:admin'], 'all'), 'gateway:admin:read')).not.toThrow();
    const error = thrown(() => requireScope(caller(['gateway:admin:read'], 'all'), 'gateway:admin'));
    expect(error.code).toBe('GW.1004');
    expect(error.options.headers?.['WWW-Authenticate']).toBe('Bearer error="insufficient_scope", scope="gateway:admin"');
    expect(thrown(() => requireScope(caller(['drs:precheck', 'gateway'], 'all'), 'gateway:admin:read')).options.headers?.['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="gateway:admin:read"',
    );
  });

  it('does not treat a scope prefix or a superset string as the scope', () => {
    expect(thrown(() => requireScope(caller(['drs', 'drs:precheck:read'], 'all'), 'drs:precheck')).code).toBe('GW.1004');
  });
});

describe('requireProject', () => {
  it('passes for a listed project and for a caller allowed all projects', () => {
    expect(() => requireProject(caller([], new Set([PROJECT])), PROJECT, byClaim, true)).not.toThrow();
    expect(() => requireProject(caller([], 'all'), PROJECT, byClaim, true)).not.toThrow();
  });

  it('refuses an unlisted project, and every project for a caller with none, with GW.1005 (403)', () => {
    const error = thrown(() => requireProject(caller([], new Set([PROJECT])), 'a'.repeat(32), byClaim, true));
    expect(error.code).toBe('GW.1005');
    expect(error.status).toBe(403);
    expect(thrown(() => requireProject(caller([], new Set()), PROJECT, byClaim, true)).code).toBe('GW.1005');
  });

  it('does not treat a literal "*" project id as a wildcard request', () => {
    expect(thrown(() => requireProject(caller([], new Set([PROJECT])), '*', byClaim, true)).code).toBe('GW.1005');
  });
});

describe('project access through groups (access.groupsClaim + access.groups)', () => {
  const access = createProjectAccess({ groupsClaim: 'groups', groups: { 'dba-team': [PROJECT], 'migration-admins': ['*'] } });

  it('a group grants exactly its projects, from an array claim or a space-separated string', () => {
    expect(access(caller([], new Set(), { groups: ['dba-team'] }), PROJECT)).toBe(true);
    expect(access(caller([], new Set(), { groups: ['dba-team'] }), OTHER)).toBe(false);
    expect(access(caller([], new Set(), { groups: 'other dba-team' }), PROJECT)).toBe(true);
    expect(access(caller([], new Set(), { groups: 'other dba-team' }), OTHER)).toBe(false);
  });

  it('a "*" group grants every project; unknown groups, other claims and odd claim types grant nothing', () => {
    expect(access(caller([], new Set(), { groups: ['migration-admins'] }), OTHER)).toBe(true);
    expect(access(caller([], new Set(), { groups: ['unknown'] }), PROJECT)).toBe(false);
    expect(access(caller([], new Set(), { roles: ['dba-team'] }), PROJECT)).toBe(false);
    expect(access(caller([], new Set(), { groups: { 'dba-team': true } }), PROJECT)).toBe(false);
  });

  it('adds to the projects claim rather than replacing it', () => {
    expect(access(caller([], new Set([OTHER]), { groups: ['dba-team'] }), OTHER)).toBe(true);
    expect(access(caller([], new Set([OTHER]), { groups: ['dba-team'] }), PROJECT)).toBe(true);
  });

  it('without a groupsClaim, groups grant nothing', () => {
    const claimOnly = createProjectAccess({ groups: { 'dba-team': [PROJECT] } });
    expect(claimOnly(caller([], new Set(), { groups: ['dba-team'] }), PROJECT)).toBe(false);
  });

  it('a project the gateway does not serve is refused even to a caller granted all projects', () => {
    expect(thrown(() => requireProject(caller([], 'all'), PROJECT, access, false)).code).toBe('GW.1005');
  });
});
