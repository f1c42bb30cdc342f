// loadConfig and contract §9: credentials by reference, regions, projects, tiers and group access from GATEWAY_CONFIG.
import { loadConfig } from '../../src/config/loadConfig';
import { configErrorOf, sources } from '../support/configSources';
import { PROJECT_A, PROJECT_B } from '../support/gatewayYaml';

const withFile = (yaml: string, env: Record<string, string> = {}, files: Record<string, string> = {}) =>
  sources({ JWT_SECRET: 'x'.repeat(40), GATEWAY_CONFIG: '/etc/gateway.yaml', ...env }, { '/etc/gateway.yaml': yaml, ...files });

const problemsOf = configErrorOf;

const MAIN_PASSWORD = 'main-pa55word-from-a-file';
const PARTNER_PASSWORD = 'partner-pa55word-from-env';

/** Contract §9's example, key for key. */
const SECTION_9 = `
credentials:
  main:
    domainName: acme
    userName: drs-gateway
    passwordFile: /run/secrets/iam-main
  partner:
    domainName: acme-partner
    userName: drs-gateway
    passwordEnv: IAM_PASSWORD_PARTNER
regions:
  cn-north-4:
    drsEndpoint: https://drs.cn-north-4.myhuaweicloud.com
    iamEndpoint: https://iam.cn-north-4.myhuaweicloud.com
  ap-southeast-1:
    drsEndpoint: https://drs.ap-southeast-1.myhuaweicloud.com
    iamEndpoint: https://iam.ap-southeast-1.myhuaweicloud.com
projects:
  ${PROJECT_A}: { region: cn-north-4, credential: main, jobBudget: 200 }
  ${PROJECT_B}: { region: ap-southeast-1, credential: partner }
rateLimit:
  max: 60
  windowMs: 60000
  tiers:
    - { name: services, scope: "drs:precheck:bulk", max: 600 }
access:
  groupsClaim: groups
  groups:
    dba-team: [${PROJECT_A}]
    migration-admins: ["*"]
`;
const SECRETS = { env: { IAM_PASSWORD_PARTNER: PARTNER_PASSWORD }, files: { '/run/secrets/iam-main': `${MAIN_PASSWORD}\n` } };

const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  REDIS_URL: 'redis://127.0.0.1:6379',
  TOKEN_CACHE_KEY: Buffer.alloc(32, 7).toString('base64'),
  JWT_ISSUER: 'https://idp.example.com',
  JWT_AUDIENCE: 'drs-gateway',
};

describe('loadConfig: the §9 configuration file', () => {
  it('reads two regions, two credentials (passwordFile and passwordEnv), projects, tiers and group access', () => {
    const { config } = loadConfig(withFile(SECTION_9, SECRETS.env, SECRETS.files));
    expect(config.credentials).toEqual({
      main: { domainName: 'acme', userName: 'drs-gateway', password: MAIN_PASSWORD, passwordFile: '/run/secrets/iam-main' },
      partner: { domainName: 'acme-partner', userName: 'drs-gateway', password: PARTNER_PASSWORD, passwordEnv: 'IAM_PASSWORD_PARTNER' },
    });
    expect(config.regions).toEqual({
      'cn-north-4': { drsEndpoint: 'https://drs.cn-north-4.myhuaweicloud.com', iamEndpoint: 'https://iam.cn-north-4.myhuaweicloud.com' },
      'ap-southeast-1': { drsEndpoint: 'https://drs.ap-southeast-1.myhuaweicloud.com', iamEndpoint: 'https://iam.ap-southeast-1.myhuaweicloud.com' },
    });
    expect(config.projects).toEqual({
      [PROJECT_A]: { region: 'cn-north-4', credential: 'main', jobBudget: 200 },
      [PROJECT_B]: { region: 'ap-southeast-1', credential: 'partner' },
    });
    expect(config.rateLimit).toMatchObject({ max: 60, windowMs: 60000, tiers: [{ name: 'services', scope: 'drs:precheck:bulk', max: 600 }] });
    expect(config.access).toEqual({ groupsClaim: 'groups', groups: { 'dba-team': [PROJECT_A], 'migration-admins': ['*'] } });
  });

  it('passes the production checks with no flat DRS_/IAM_ variable at all', () => {
    const { config } = loadConfig(withFile(SECTION_9, { ...PRODUCTION_ENV, ...SECRETS.env }, SECRETS.files));
    expect(Object.keys(config.regions)).toEqual(['cn-north-4', 'ap-southeast-1']);
    expect(Object.keys(config.credentials)).toEqual(['main', 'partner']);
  });

  it('refuses an inline password by its key with a clear reason, and never prints it', () => {
    const inline = SECTION_9.replace('passwordFile: /run/secrets/iam-main', 'password: inline-s3cr3t-value');
    const error = problemsOf(withFile(inline, SECRETS.env, SECRETS.files));
    expect(error.problems).toEqual([{ key: 'credentials.main.password', problem: expect.stringContaining('inline password is refused') }]);
    expect(error.message).not.toContain('inline-s3cr3t-value');

    const flatInline = problemsOf(withFile('iam:\n  password: inline-s3cr3t-value\n'));
    expect(flatInline.problems).toEqual([{ key: 'iam.password', problem: expect.stringContaining('inline password in GATEWAY_CONFIG is refused') }]);
    expect(flatInline.message).not.toContain('inline-s3cr3t-value');
  });

  it('refuses an inline password even next to a valid reference', () => {
    const both = SECTION_9.replace('passwordFile: /run/secrets/iam-main', 'passwordFile: /run/secrets/iam-main\n    password: inline-s3cr3t-value');
    const error = problemsOf(withFile(both, SECRETS.env, SECRETS.files));
    expect(error.problems.map((p) => p.key)).toEqual(['credentials.main.password']);
    expect(error.message).not.toContain('inline-s3cr3t-value');
  });

  it('names a missing password file, an empty one and an unset password variable, all at once', () => {
    const missing = problemsOf(withFile(SECTION_9, {}, {}));
    expect(missing.problems).toEqual([
      { key: 'credentials.main.passwordFile', problem: 'file cannot be read' },
      { key: 'credentials.partner.passwordEnv', problem: 'names an environment variable that is not set' },
    ]);
    const empty = problemsOf(withFile(SECTION_9, SECRETS.env, { '/run/secrets/iam-main': '\n' }));
    expect(empty.problems).toEqual([{ key: 'credentials.main.passwordFile', problem: 'file is empty' }]);
  });

  it('needs exactly one of passwordFile and passwordEnv', () => {
    const neither = SECTION_9.replace('    passwordFile: /run/secrets/iam-main\n', '');
    expect(problemsOf(withFile(neither, SECRETS.env)).problems).toEqual([{ key: 'credentials.main', problem: 'needs passwordFile or passwordEnv' }]);
    const both = SECTION_9.replace('passwordFile: /run/secrets/iam-main', 'passwordFile: /run/secrets/iam-main\n    passwordEnv: IAM_PASSWORD_PARTNER');
    expect(problemsOf(withFile(both, SECRETS.env, SECRETS.files)).problems).toEqual([{ key: 'credentials.main', problem: 'set only one of passwordFile and passwordEnv' }]);
  });

  it('names every reference to an unknown region or credential', () => {
    const yaml = SECTION_9.replace('region: cn-north-4, credential: main', 'region: eu-west-0, credential: main').replace('credential: partner', 'credential: nobody');
    const error = problemsOf(withFile(yaml, SECRETS.env, SECRETS.files));
    expect(error.problems).toEqual([
      { key: `projects.${PROJECT_A}.region`, problem: 'names a region that is not defined in regions' },
      { key: `projects.${PROJECT_B}.credential`, problem: 'names a credential that is not defined in credentials' },
    ]);
    // A reference is a value like any other: a password pasted there by mistake must not be printed.
    expect(error.message).not.toMatch(/eu-west-0|nobody/);
  });

  it('refuses regions and credentials without default when there is no projects list, since every project goes there', () => {
    const yaml = SECTION_9.replace(/projects:\n( {2}.*\n)+/, '');
    expect(yaml).not.toContain('projects:');
    expect(problemsOf(withFile(yaml, SECRETS.env, SECRETS.files)).problems).toEqual([
      { key: 'regions', problem: expect.stringContaining('must define "default"') },
      { key: 'credentials', problem: expect.stringContaining('must define "default"') },
    ]);
  });

  it('refuses a tier name used twice', () => {
    const yaml = SECTION_9.replace('    - { name: services, scope: "drs:precheck:bulk", max: 600 }', '    - { name: services, scope: "a", max: 600 }\n    - { name: services, scope: "b", max: 6 }');
    expect(problemsOf(withFile(yaml, SECRETS.env, SECRETS.files)).problems).toEqual([{ key: 'rateLimit.tiers.1.name', problem: 'repeats the name of rateLimit.tiers.0 (RateLimit-Policy names the tier)' }]);
  });
});

describe('loadConfig: the flat settings next to the file', () => {
  const regionsOnly = `
regions:
  ap-southeast-1: { drsEndpoint: https://drs.ap-southeast-1.myhuaweicloud.com, iamEndpoint: https://iam.ap-southeast-1.myhuaweicloud.com }
credentials:
  partner: { domainName: acme-partner, userName: drs-gateway, passwordEnv: IAM_PASSWORD_PARTNER }
projects:
  ${PROJECT_A}: {}
  ${PROJECT_B}: { region: ap-southeast-1, credential: partner }
`;
  const flat = {
    DRS_ENDPOINT: 'https://drs.cn-north-4.myhuaweicloud.com',
    IAM_ENDPOINT: 'https://iam.cn-north-4.myhuaweicloud.com',
    IAM_DOMAIN_NAME: 'acme',
    IAM_USER_NAME: 'drs-gateway',
    IAM_PASSWORD: 'flat-pa55word',
    IAM_PASSWORD_PARTNER: PARTNER_PASSWORD,
  };

  it('define the default region and credential in addition to the file, and projects that name neither use them', () => {
    const { config } = loadConfig(withFile(regionsOnly, flat));
    expect(config.regions).toEqual({
      'ap-southeast-1': expect.any(Object),
      default: { drsEndpoint: flat.DRS_ENDPOINT, iamEndpoint: flat.IAM_ENDPOINT },
    });
    expect(config.credentials.default).toEqual({ domainName: 'acme', userName: 'drs-gateway', password: 'flat-pa55word', passwordEnv: 'IAM_PASSWORD' });
    expect(config.credentials.partner?.password).toBe(PARTNER_PASSWORD);
    expect(config.projects?.[PROJECT_A]).toEqual({ region: 'default', credential: 'default' });
  });

  it('record IAM_PASSWORD_FILE as the default credential reference', () => {
    const { IAM_PASSWORD: _password, ...rest } = flat;
    const { config } = loadConfig(withFile(regionsOnly, { ...rest, IAM_PASSWORD_FILE: '/run/secrets/flat' }, { '/run/secrets/flat': 'flat-from-file\n' }));
    expect(config.credentials.default).toEqual({ domainName: 'acme', userName: 'drs-gateway', password: 'flat-from-file', passwordFile: '/run/secrets/flat' });
  });

  it('are not invented when unset: a project that names no region or credential is then a named problem', () => {
    const error = problemsOf(withFile(regionsOnly, { IAM_PASSWORD_PARTNER: PARTNER_PASSWORD }));
    expect(error.problems).toEqual([
      { key: `projects.${PROJECT_A}.region`, problem: expect.stringContaining('there is no default region') },
      { key: `projects.${PROJECT_A}.credential`, problem: expect.stringContaining('there is no default credential') },
    ]);
  });

  it('are the only region and credential when the file has no regions or credentials (the one-region shorthand)', () => {
    const { config } = loadConfig(withFile(`projects:\n  ${PROJECT_A}: { jobBudget: 5 }\n`, flat));
    expect(Object.keys(config.regions)).toEqual(['default']);
    expect(Object.keys(config.credentials)).toEqual(['default']);
    expect(config.projects).toEqual({ [PROJECT_A]: { region: 'default', credential: 'default', jobBudget: 5 } });
  });

  it('conflict with a file entry also named default', () => {
    const yaml = `${regionsOnly}  ${'\n'}`.replace('regions:\n', 'regions:\n  default: { drsEndpoint: https://drs.example.com, iamEndpoint: https://iam.example.com }\n');
    const error = problemsOf(withFile(yaml, flat));
    expect(error.problems).toEqual([{ key: 'regions.default', problem: expect.stringContaining('also defined by DRS_ENDPOINT/IAM_ENDPOINT') }]);
  });
});

describe('loadConfig: production checks per region and credential', () => {
  it('names each region without endpoints and each credential with sandbox values by its own key', () => {
    const yaml = `
regions:
  cn-north-4: { drsEndpoint: https://drs.cn-north-4.myhuaweicloud.com }
  ap-southeast-1: { iamEndpoint: https://iam.ap-southeast-1.myhuaweicloud.com }
credentials:
  main: { domainName: sandbox-domain, userName: sandbox-user, passwordEnv: SANDBOX_PASSWORD }
projects:
  ${PROJECT_A}: { region: cn-north-4, credential: main }
`;
    const error = problemsOf(withFile(yaml, { ...PRODUCTION_ENV, SANDBOX_PASSWORD: 'sandbox-password' }));
    expect(error.problems.map((p) => p.key)).toEqual([
      'regions.cn-north-4.iamEndpoint',
      'regions.ap-southeast-1.drsEndpoint',
      'credentials.main.password',
      'credentials.main.userName',
      'credentials.main.domainName',
    ]);
    expect(error.message).not.toContain('sandbox-password');
  });

  it('names the flat variables for the default region and credential they define', () => {
    const error = problemsOf(sources({ ...PRODUCTION_ENV, JWT_SECRET: 'x'.repeat(40), DRS_ENDPOINT: 'https://drs.example.com' }));
    expect(error.problems.map((p) => p.key)).toEqual(['IAM_ENDPOINT', 'IAM_PASSWORD', 'IAM_USER_NAME', 'IAM_DOMAIN_NAME']);
  });
});
