// Scope and project checks on an authenticated caller.
import { requireProject, requireScope } from '../../src/auth/authorize';
import type { Caller } from '../../src/auth/Caller';
import { GatewayError } from '../../src/errors/GatewayError';

const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
const caller = (scopes: string[], projects: Caller['projects']): Caller => ({ sub: 'svc', scopes: new Set(scopes), projects, expiresAt: Number.MAX_SAFE_INTEGER });

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

  it('does not treat a scope prefix or a superset string as the scope', () => {
    expect(thrown(() => requireScope(caller(['drs', 'drs:precheck:read'], 'all'), 'drs:precheck')).code).toBe('GW.1004');
  });
});

describe('requireProject', () => {
  it('passes for a listed project and for a caller allowed all projects', () => {
    expect(() => requireProject(caller([], new Set([PROJECT])), PROJECT)).not.toThrow();
    expect(() => requireProject(caller([], 'all'), PROJECT)).not.toThrow();
  });

  it('refuses an unlisted project, and every project for a caller with none, with GW.1005 (403)', () => {
    const error = thrown(() => requireProject(caller([], new Set([PROJECT])), 'a'.repeat(32)));
    expect(error.code).toBe('GW.1005');
    expect(error.status).toBe(403);
    expect(thrown(() => requireProject(caller([], new Set()), PROJECT)).code).toBe('GW.1005');
  });

  it('does not treat a literal "*" project id as a wildcard request', () => {
    expect(thrown(() => requireProject(caller([], new Set([PROJECT])), '*')).code).toBe('GW.1005');
  });
});
