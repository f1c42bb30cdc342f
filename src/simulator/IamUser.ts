// An IAM user the simulator knows: it issues tokens to this user's password.
export interface IamUser {
  /** Account (domain) name that owns the IAM user. */
  domain: string;
  name: string;
  password: string;
}
