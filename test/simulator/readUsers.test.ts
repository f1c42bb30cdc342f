// SIMULATOR_USERS: the accounts a stand-alone simulator (docker-compose) knows, refused without echoing a password.
import { readUsers } from '../../src/simulator/readUsers';
import { SANDBOX_IAM_USER } from '../../src/simulator/startSimulator';

describe('readUsers', () => {
  it('is the sandbox user alone when SIMULATOR_USERS is unset or empty', () => {
    expect(readUsers(undefined)).toEqual([SANDBOX_IAM_USER]);
    expect(readUsers('')).toEqual([SANDBOX_IAM_USER]);
  });

  it('reads a JSON list of accounts', () => {
    const users = [
      { domain: 'acme', name: 'drs-gateway', password: 'main-pa55' },
      { domain: 'acme-partner', name: 'drs-gateway', password: 'partner-pa55' },
    ];
    expect(readUsers(JSON.stringify(users))).toEqual(users);
  });

  it('refuses malformed JSON, an empty list, a missing field or an unknown one, never printing the value', () => {
    expect(() => readUsers('{not json secret-pa55')).toThrow(/must be JSON/);
    expect(() => readUsers('[]')).toThrow(/non-empty list/);
    expect(() => readUsers('[{"domain":"acme","name":"u"}]')).toThrow(/0\.password/);
    for (const value of ['{not json secret-pa55', '[{"domain":"acme","name":"u","password":"secret-pa55","extra":1}]']) {
      expect(() => readUsers(value)).toThrow();
      expect(() => readUsers(value)).not.toThrow(/secret-pa55/);
    }
  });
});
