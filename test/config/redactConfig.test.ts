import { loadConfig } from '../../src/config/loadConfig';
import { redactConfig } from '../../src/config/redactConfig';

const load = (env: Record<string, string>) =>
  loadConfig({
    env: { JWT_SECRET: 'x'.repeat(40), ...env },
    readFile: () => {
      throw new Error('no files');
    },
    generateSecret: () => 'unused',
  }).config;

describe('redactConfig', () => {
  it('shows endpoints as scheme, host, port and path, without user info or query values, even when handed a config loadConfig would refuse', () => {
    const config = load({ DRS_ENDPOINT: 'https://drs.example.com/base', IAM_ENDPOINT: 'https://iam.example.com:8443' });
    const unchecked = {
      ...config,
      drs: { ...config.drs, endpoint: 'https://drs-user:s3cr3t-pass@drs.example.com/base?ak=s3cr3t-key#frag' },
      iam: { ...config.iam, endpoint: 'https://s3cr3t-user@iam.example.com:8443/?token=s3cr3t-token' },
    };
    const shown = redactConfig(unchecked) as { drs: { endpoint: string }; iam: { endpoint: string } };
    expect(shown.drs.endpoint).toBe('https://drs.example.com/base?[redacted]');
    expect(shown.iam.endpoint).toBe('https://iam.example.com:8443/?[redacted]');
    expect(JSON.stringify(shown)).not.toMatch(/s3cr3t/);
  });

  it('keeps a JWKS URI readable and masks its query', () => {
    const shown = redactConfig(load({ JWT_JWKS_URI: 'https://idp.example.com/keys?p=policy-s3cr3t' })) as { jwt: { jwksUri: string } };
    expect(shown.jwt.jwksUri).toBe('https://idp.example.com/keys?[redacted]');
  });
});
