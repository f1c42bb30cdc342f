// The IAM user of the sandbox: the gateway's default credential and the user the embedded simulator knows by default.
export const SANDBOX_IAM_USER = Object.freeze({
  domain: 'sandbox-domain',
  name: 'sandbox-user',
  password: 'sandbox-password',
});
