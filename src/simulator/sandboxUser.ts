// The IAM user the simulator knows when no users are configured; the sandbox gateway logs in as this user.
export interface IamUser {
  /** Account (domain) name that owns the IAM user. */
  domain: string;
  name: string;
  password: string;
}

export const SANDBOX_IAM_USER: Readonly<IamUser> = Object.freeze({
  domain: 'sandbox-domain',
  name: 'sandbox-user',
  password: 'sandbox-password',
});
