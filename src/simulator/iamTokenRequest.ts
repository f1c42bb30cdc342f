// Reads a password-method token request (reference §3.2); null means IAM.0011, "Request body is invalid."
import { isRecord } from '../isRecord';

export type RequestedScope = { project: { id?: string; name?: string } } | { domain: { id?: string; name?: string } } | null;

export interface IamTokenRequest {
  domain: string;
  name: string;
  password: string;
  scope: RequestedScope;
}

const optionalString = (value: unknown): value is string | undefined => value === undefined || typeof value === 'string';

/** Scope objects must name their target by id or name; IAM treats an empty one as invalid. */
const readTarget = (value: unknown): { id?: string; name?: string } | null => {
  if (!isRecord(value) || !optionalString(value.id) || !optionalString(value.name)) return null;
  if (value.id === undefined && value.name === undefined) return null;
  return { ...(value.id === undefined ? {} : { id: value.id }), ...(value.name === undefined ? {} : { name: value.name }) };
};

/** Project wins when both are given, as IAM documents; no scope at all asks for an unscoped token. */
const readScope = (value: unknown): RequestedScope | undefined => {
  if (value === undefined) return null;
  if (!isRecord(value)) return undefined;
  if (value.project !== undefined) {
    const project = readTarget(value.project);
    return project === null ? undefined : { project };
  }
  if (value.domain !== undefined) {
    const domain = readTarget(value.domain);
    return domain === null ? undefined : { domain };
  }
  return undefined;
};

export const readIamTokenRequest = (body: unknown): IamTokenRequest | null => {
  if (!isRecord(body) || !isRecord(body.auth)) return null;
  const { identity, scope } = body.auth;
  if (!isRecord(identity) || !Array.isArray(identity.methods) || !identity.methods.includes('password')) return null;
  if (!isRecord(identity.password) || !isRecord(identity.password.user)) return null;
  const user = identity.password.user;
  if (typeof user.name !== 'string' || typeof user.password !== 'string' || !isRecord(user.domain)) return null;
  if (typeof user.domain.name !== 'string') return null;
  const requested = readScope(scope);
  if (requested === undefined) return null;
  return { domain: user.domain.name, name: user.name, password: user.password, scope: requested };
};
