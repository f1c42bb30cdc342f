import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/ConfigError';
import { ENV_VARIABLES } from '../../src/config/envVariables';
import { loadConfig } from '../../src/config/loadConfig';
import { shutdownGraceMs } from '../../src/config/requestBudget';
import { RESTART_ONLY_SETTINGS } from '../../src/config/restartOnly';
import { configErrorOf, sources } from '../support/configSources';
import { codeSpans, readRepoFile, sectionOf, tableRows } from '../support/markdown';

const problemsOf = (env: Record<string, string>, files?: Record<string, string>) => configErrorOf(sources(env, files));

const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  DRS_ENDPOINT: 'https://drs.cn-north-4.myhuaweicloud.com',
  IAM_ENDPOINT: 'https://iam.cn-north-4.myhuaweicloud.com',
  IAM_DOMAIN_NAME: 'acme',
  IAM_USER_NAME: 'gateway',
  IAM_PASSWORD: 'hunter2-hunter2',
  REDIS_URL: 'redis://127.0.0.1:6379',
  TOKEN_CACHE_KEY: Buffer.alloc(32, 7).toString('base64'),
  JWT_SECRET: 'x'.repeat(40),
  JWT_ISSUER: 'https://idp.example.com',
  JWT_AUDIENCE: 'drs-gateway',
};

describe('loadConfig', () => {
  it('runs the sandbox with no configuration: contract defaults and a generated secret', () => {
    const { config, generatedJwtSecret } = loadConfig(sources({}));
    expect(generatedJwtSecret).toBe(true);
    expect(config.jwt.secret).toBe('generated-secret-generated-secret-0123456789');
    expect(config.server).toMatchObject({ port: 8080, host: '127.0.0.1', trustProxy: 0 });
    expect(config.drs.endpoint).toBeUndefined();
    expect(config.drs.timeoutMs).toBe(10000);
    expect(config.iam.endpoint).toBeUndefined();
    expect(config.iam).toMatchObject({ timeoutMs: 5000, refreshMarginMs: 900000 });
    expect(config.jwt.clockToleranceMs).toBe(30000);
    expect(config.rateLimit).toEqual({ max: 60, windowMs: 60000, ipMax: 1200, ipWindowMs: 60000, onStoreError: 'local', projectJobBudgetWindowMs: 60000, tiers: [] });
    expect(config.logLevel).toBe('info');
  });

  it('reads every documented environment variable', () => {
    const { config } = loadConfig(
      sources({ ...PRODUCTION_ENV, NODE_ENV: 'development', PORT: '9000', HOST: '0.0.0.0', RATE_LIMIT_MAX: '5', CORS_ORIGINS: 'https://a.example.com, https://b.example.com', JWT_ALGORITHMS: 'HS256,HS384', TRUST_PROXY: '2', LOG_LEVEL: 'warn' }),
    );
    expect(config.server).toMatchObject({ port: 9000, host: '0.0.0.0', trustProxy: 2 });
    expect(config.rateLimit.max).toBe(5);
    expect(config.cors.origins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.jwt.algorithms).toEqual(['HS256', 'HS384']);
    expect(config.iam).toMatchObject({ domainName: 'acme', userName: 'gateway', password: 'hunter2-hunter2' });
  });

  it('reports every problem at once, naming the variable and never echoing the value', () => {
    const error = problemsOf({ PORT: 'eighty', RATE_LIMIT_MAX: '-1', DRS_ENDPOINT: 'ftp://x', LOG_LEVEL: 'loud', JWT_SECRET: 'short-secret-value', RATE_LIMIT_ON_STORE_ERROR: 'maybe' });
    const keys = error.problems.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['PORT', 'RATE_LIMIT_MAX', 'DRS_ENDPOINT', 'LOG_LEVEL', 'JWT_SECRET', 'RATE_LIMIT_ON_STORE_ERROR']));
    expect(error.message).not.toContain('short-secret-value');
    expect(error.message).not.toContain('eighty');
  });

  it('refuses every embedded default in production and names each missing setting in one message', () => {
    const error = problemsOf({ NODE_ENV: 'production' });
    for (const key of ['DRS_ENDPOINT', 'IAM_ENDPOINT', 'IAM_PASSWORD', 'IAM_USER_NAME', 'IAM_DOMAIN_NAME', 'REDIS_URL', 'JWT_SECRET', 'JWT_ISSUER', 'JWT_AUDIENCE']) {
      expect(error.message).toContain(key);
    }
  });

  it('accepts a complete production configuration', () => {
    expect(loadConfig(sources(PRODUCTION_ENV)).generatedJwtSecret).toBe(false);
  });

  it('requires TOKEN_CACHE_KEY with REDIS_URL in production', () => {
    const { TOKEN_CACHE_KEY: _omitted, ...env } = PRODUCTION_ENV;
    expect(problemsOf(env).problems.map((p) => p.key)).toEqual(['TOKEN_CACHE_KEY']);
  });

  it('reads secrets from *_FILE variants and refuses both forms at once', () => {
    const { config } = loadConfig(sources({ ...PRODUCTION_ENV, IAM_PASSWORD: '', IAM_PASSWORD_FILE: '/run/secrets/iam' }, { '/run/secrets/iam': 'from-a-file\n' }));
    expect(config.iam.password).toBe('from-a-file');
    const error = problemsOf({ JWT_SECRET: 'x'.repeat(40), JWT_SECRET_FILE: '/run/secrets/jwt' });
    expect(error.problems).toEqual([{ key: 'JWT_SECRET', problem: expect.stringContaining('JWT_SECRET_FILE') }]);
    expect(problemsOf({ IAM_PASSWORD_FILE: '/missing' }).problems).toEqual([{ key: 'IAM_PASSWORD_FILE', problem: 'file cannot be read' }]);
  });

  it('merges a YAML config file under the environment', () => {
    const yaml = 'rateLimit:\n  max: 7\n  windowMs: 1000\ncors:\n  origins: ["https://web.example.com"]\n';
    const { config } = loadConfig(sources({ GATEWAY_CONFIG: '/etc/gw.yaml', RATE_LIMIT_WINDOW_MS: '2000' }, { '/etc/gw.yaml': yaml }));
    expect(config.rateLimit).toMatchObject({ max: 7, windowMs: 2000 });
    expect(config.cors.origins).toEqual(['https://web.example.com']);
  });

  it('reports unknown and invalid config-file keys by their path', () => {
    const error = problemsOf({ GATEWAY_CONFIG: '/etc/gw.json' }, { '/etc/gw.json': '{"rateLimit":{"max":"ten"},"colour":"blue"}' });
    const keys = error.problems.map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(['RATE_LIMIT_MAX (or rateLimit.max in GATEWAY_CONFIG)', 'colour']));
    expect(problemsOf({ GATEWAY_CONFIG: '/etc/gw.yaml' }, { '/etc/gw.yaml': 'a: [' }).problems[0]).toEqual({ key: 'GATEWAY_CONFIG', problem: 'is not valid YAML or JSON' });
  });

  it('refuses an empty configuration file (one caught mid-write), and takes {} as a file without settings', () => {
    for (const text of ['', '\n', '# only a comment\n']) {
      expect(problemsOf({ GATEWAY_CONFIG: '/etc/gw.yaml' }, { '/etc/gw.yaml': text }).problems).toEqual([{ key: 'GATEWAY_CONFIG', problem: 'is empty (write {} for a file with no settings)' }]);
    }
    expect(loadConfig(sources({ GATEWAY_CONFIG: '/etc/gw.yaml' }, { '/etc/gw.yaml': '{}\n' })).config.rateLimit.max).toBe(60);
  });

  it('rejects a token cache key that is not 32 bytes', () => {
    expect(problemsOf({ TOKEN_CACHE_KEY: Buffer.alloc(16).toString('base64') }).problems.map((p) => p.key)).toEqual(['TOKEN_CACHE_KEY']);
  });

  it.each([
    ['DRS_ENDPOINT', 'https://drs-user:s3cr3t-pass@drs.example.com', 'user info'],
    ['DRS_ENDPOINT', 'https://drs.example.com/?ak=s3cr3t-pass', 'query string'],
    ['DRS_ENDPOINT', 'https://drs.example.com/#s3cr3t-pass', 'query string or fragment'],
    ['IAM_ENDPOINT', 'https://s3cr3t-pass@iam.example.com', 'user info'],
    ['IAM_ENDPOINT', 'https://iam.example.com/v3?password=s3cr3t-pass', 'query string'],
    ['JWT_JWKS_URI', 'https://jwks-user:s3cr3t-pass@idp.example.com/keys', 'user info'],
  ])('refuses %s with %s, naming the variable and never the secret', (name, value, what) => {
    const error = problemsOf({ [name]: value });
    expect(error.problems).toEqual([{ key: name, problem: expect.stringContaining(what) }]);
    expect(error.message).not.toContain('s3cr3t-pass');
    expect(error.message).not.toContain(value);
  });

  it('refuses endpoint credentials from the config file too, by their path', () => {
    const error = problemsOf({ GATEWAY_CONFIG: '/gw.yaml' }, { '/gw.yaml': 'drs:\n  endpoint: https://u:s3cr3t-pass@drs.example.com\n' });
    expect(error.problems).toEqual([{ key: 'DRS_ENDPOINT (or drs.endpoint in GATEWAY_CONFIG)', problem: expect.stringContaining('user info') }]);
    expect(error.message).not.toContain('s3cr3t-pass');
  });

  it('sheds over 150 ms of event-loop delay or 160 MiB of heap unless told otherwise; 0 turns a reading off, a negative is refused', () => {
    expect(loadConfig(sources({})).config.overload).toEqual({ maxEventLoopDelayMs: 150, maxHeapUsedMb: 160 });
    expect(loadConfig(sources({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', OVERLOAD_MAX_HEAP_USED_MB: '250' })).config.overload).toEqual({ maxEventLoopDelayMs: 0, maxHeapUsedMb: 250 });
    expect(problemsOf({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '-1', OVERLOAD_MAX_HEAP_USED_MB: 'lots' }).problems.map((p) => p.key).sort()).toEqual(['OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', 'OVERLOAD_MAX_HEAP_USED_MB']);
  });

  it('reads METRICS_PORT and METRICS_HOST, and refuses a metrics port equal to PORT', () => {
    expect(loadConfig(sources({})).config.metrics).toEqual({ host: '127.0.0.1' });
    expect(loadConfig(sources({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).config.metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(problemsOf({ PORT: '9464', METRICS_PORT: '9464' }).problems).toEqual([{ key: 'METRICS_PORT', problem: expect.stringContaining('must differ from PORT') }]);
  });

  it('accepts endpoints with a path, and a JWKS URI with a query string', () => {
    const { config } = loadConfig(sources({ DRS_ENDPOINT: 'https://drs.example.com/base', IAM_ENDPOINT: 'https://iam.example.com:8443', JWT_JWKS_URI: 'https://idp.example.com/keys?p=b2c_1_signin' }));
    expect(config.drs.endpoint).toBe('https://drs.example.com/base');
    expect(config.jwt.jwksUri).toBe('https://idp.example.com/keys?p=b2c_1_signin');
  });
});

describe('the example configuration files', () => {
  const examples = join(__dirname, '../../config');
  // What the examples name by reference: passwordFile, passwordEnv and the *_FILE-or-environment secrets.
  const secrets = { IAM_PASSWORD_PARTNER: 'example-partner-password', TOKEN_CACHE_KEY: Buffer.alloc(32, 1).toString('base64') };
  const secretFiles = { '/run/secrets/iam-main': 'example-main-password\n' };

  it.each(['gateway.example.yaml', 'redis-cluster.example.yaml', 'redis-sentinel.example.yaml'])('%s loads without problems', (file) => {
    const path = join(examples, file);
    const { config } = loadConfig(sources({ ...secrets, GATEWAY_CONFIG: path, JWT_SECRET: 'x'.repeat(40) }, { [path]: readFileSync(path, 'utf8'), ...secretFiles }));
    expect(config.redis.url ?? config.redis.cluster ?? config.redis.sentinel).toBeDefined();
  });

  it('the production example passes the production checks once secrets come from the environment, with two regions and two credentials', () => {
    const path = join(examples, 'gateway.example.yaml');
    const { config } = loadConfig(sources({ ...secrets, GATEWAY_CONFIG: path }, { [path]: readFileSync(path, 'utf8'), ...secretFiles }));
    expect(Object.keys(config.regions)).toEqual(['cn-north-4', 'ap-southeast-1']);
    expect(config.credentials).toEqual({
      main: expect.objectContaining({ password: 'example-main-password', passwordFile: '/run/secrets/iam-main' }),
      partner: expect.objectContaining({ password: 'example-partner-password', passwordEnv: 'IAM_PASSWORD_PARTNER' }),
    });
  });

  it('refuses url together with cluster', () => {
    const error = problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379', GATEWAY_CONFIG: '/c.yaml' }, { '/c.yaml': 'redis:\n  cluster:\n    nodes: [{ host: a, port: 1 }]\n' });
    expect(error.problems.map((p) => p.problem)).toContain('set only one of url, sentinel and cluster');
  });
});

describe('the documentation of the settings', () => {
  const root = join(__dirname, '../..');
  it('.env.example names every environment variable the loader reads', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    for (const { name } of ENV_VARIABLES) {
      expect({ name, inExample: new RegExp(`^${name}=`, 'm').test(example) }).toEqual({ name, inExample: true });
    }
  });

  it("docs/configuration.md's settings tables give every environment variable its file key and whether a reload applies it", () => {
    const rows = tableRows(sectionOf(readRepoFile('docs/configuration.md'), 'Settings'));
    const restartOnly = (path: string): boolean => RESTART_ONLY_SETTINGS.some((prefix) => path === prefix || path.startsWith(`${prefix}.`));
    for (const { name, path } of ENV_VARIABLES) {
      const row = rows.find(([variables]) => codeSpans(variables ?? '').includes(name));
      const key = path.join('.');
      expect({ name, fileKeys: codeSpans(row?.[1] ?? ''), onReload: row?.at(-1) }).toEqual({
        name,
        fileKeys: expect.arrayContaining([key]),
        onReload: restartOnly(key) ? 'restart' : 'reload',
      });
    }
  });
});

describe('shutdown settings', () => {
  it('waits 5 s before closing the listener in production and not at all in the sandbox, unless SHUTDOWN_DELAY_MS says otherwise', () => {
    expect(loadConfig(sources(PRODUCTION_ENV)).config.server.shutdownDelayMs).toBe(5_000);
    expect(loadConfig(sources({})).config.server.shutdownDelayMs).toBe(0);
    expect(loadConfig(sources({ ...PRODUCTION_ENV, SHUTDOWN_DELAY_MS: '0' })).config.server.shutdownDelayMs).toBe(0);
    expect(loadConfig(sources({ SHUTDOWN_DELAY_MS: '2500' })).config.server.shutdownDelayMs).toBe(2_500);
    expect(loadConfig(sources({ GATEWAY_CONFIG: '/c.yaml' }, { '/c.yaml': 'server: { shutdownDelayMs: 750 }' })).config.server.shutdownDelayMs).toBe(750);
  });

  it('raises a grace shorter than a whole request (IAM_TIMEOUT_MS + 2 × UPSTREAM_TIMEOUT_MS + 5 s) and keeps a longer one', () => {
    const { config } = loadConfig(sources({ SHUTDOWN_GRACE_MS: '1000', IAM_TIMEOUT_MS: '3000', UPSTREAM_TIMEOUT_MS: '8000' }));
    expect(shutdownGraceMs(config)).toBe(3_000 + 2 * 8_000 + 5_000);
    expect(shutdownGraceMs(loadConfig(sources({ SHUTDOWN_GRACE_MS: '90000' })).config)).toBe(90_000);
    expect(shutdownGraceMs(loadConfig(sources({})).config)).toBe(30_000);
  });

  it('reads the server timeouts and refuses a headers timeout longer than the request timeout', () => {
    const { server } = loadConfig(sources({ SERVER_HEADERS_TIMEOUT_MS: '2000', SERVER_REQUEST_TIMEOUT_MS: '4000', SERVER_KEEPALIVE_TIMEOUT_MS: '1500' })).config;
    expect(server).toMatchObject({ headersTimeoutMs: 2_000, requestTimeoutMs: 4_000, keepAliveTimeoutMs: 1_500 });
    let error: unknown;
    try {
      loadConfig(sources({ SERVER_HEADERS_TIMEOUT_MS: '5000', SERVER_REQUEST_TIMEOUT_MS: '4000' }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContainEqual({ key: 'SERVER_HEADERS_TIMEOUT_MS', problem: 'must not exceed SERVER_REQUEST_TIMEOUT_MS' });
  });
});
