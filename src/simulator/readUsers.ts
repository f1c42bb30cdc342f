// The IAM users a stand-alone simulator knows, from SIMULATOR_USERS (JSON), so docker-compose can give each region its accounts.
import { z } from 'zod';
import { SANDBOX_IAM_USER } from '../config/sandboxIamUser';
import type { IamUser } from './IamUser';

const USERS = z.array(z.strictObject({ domain: z.string().min(1), name: z.string().min(1), password: z.string().min(1) })).min(1);

/** Unset: the sandbox user alone. Anything else must be a non-empty JSON list of {domain, name, password}. */
export const readUsers = (value: string | undefined): IamUser[] => {
  if (value === undefined || value === '') return [{ ...SANDBOX_IAM_USER }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error('SIMULATOR_USERS must be JSON: [{"domain","name","password"}, ...]');
  }
  const result = USERS.safeParse(parsed);
  // The issues name fields only: the value holds passwords.
  if (!result.success) throw new Error(`SIMULATOR_USERS must be a non-empty list of {"domain","name","password"} (${result.error.issues.map((i) => i.path.join('.') || 'list').join(', ')})`);
  return result.data;
};
