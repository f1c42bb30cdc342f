import { callerFromClaims } from '../../src/auth/callerFromClaims';

describe('callerFromClaims: the client', () => {
  const clientOf = (claims: Record<string, unknown>) => callerFromClaims({ sub: 'svc', ...claims }, 0).client;

  it('is azp, else client_id, when present', () => {
    expect(clientOf({ azp: 'portal-web', client_id: 'other' })).toBe('portal-web');
    expect(clientOf({ client_id: 'batch-runner' })).toBe('batch-runner');
    expect(clientOf({})).toBeUndefined();
  });

  it('is left out when it is not a short safe token, since it is written to the logs', () => {
    expect(clientOf({ azp: 'a b\n{"x":1}' })).toBeUndefined();
    expect(clientOf({ azp: 'x'.repeat(129) })).toBeUndefined();
    expect(clientOf({ azp: 42 })).toBeUndefined();
  });
});
