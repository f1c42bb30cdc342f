// Fuzzes the configuration loader: a loaded configuration or a ConfigError, each problem naming a setting and never a value.
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ConfigError, settingPath } from '../../src/config/ConfigError';
import { ENV_VARIABLES, knownEnvironmentNames } from '../../src/config/envVariables';
import { loadConfig, type LoadedConfig } from '../../src/config/loadConfig';
import { configSchema } from '../../src/config/schema';
import { sources } from '../support/configSources';
import { assertFuzz, FUZZ_TIMEOUT_MS, replayCorpus } from './support/fuzzing';

/** What loadConfig reads: the environment and the files it may open (the config file, `*_FILE` and passwordFile secrets). */
interface ConfigInput {
  env: Record<string, string>;
  files: Record<string, string>;
}

/** A valid configuration with one fault planted in it (or `none`), and the setting a problem must name for it. */
interface PlantedInput extends ConfigInput {
  fault: string;
  setting: string;
}

/**
 * Every secret-looking value the generators write starts with this mark, in any position a value can take (passwords,
 * URLs, references, names). A problem that contains the mark has echoed (part of) a value.
 */
const MARK = 'S3cr';
const secret = fc.stringMatching(/^[A-Za-z0-9]{10,16}$/).map((tail) => `${MARK}${tail}`);

const CONFIG_PATH = 'gateway.yaml';
const SECRET_FILES = ['/run/secrets/main', '/run/secrets/partner'];
/** Names a credential's passwordEnv or a test may set. */
const PASSWORD_VARIABLES = ['IAM_PASSWORD_MAIN', 'IAM_PASSWORD_PARTNER'];
const TOP_LEVEL_SETTINGS = new Set(Object.keys(configSchema.shape));
const ENVIRONMENT_NAMES = new Set(knownEnvironmentNames());
/** Keys that are properties of every object: each once broke a lookup somewhere (`in`, assignment, a record). */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** An object whose keys are own properties even when one is `__proto__`, as a YAML or JSON parser makes them. */
const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
};

// ---- values -------------------------------------------------------------------------------------------------------

const base64Key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('base64'));

/** Texts that carry a secret inside a shape a setting might accept. */
const secretShapes = (s: string): string[] => [
  s,
  `${s}${s}${s}`,
  `https://user:${s}@drs.example.com`,
  `https://drs.example.com/?token=${s}`,
  `https://drs.example.com/#${s}`,
  `redis://:${s}@127.0.0.1:6379`,
  `rediss://default:${s}@redis.example.com:6380/0`,
  `ftp://${s}.example.com`,
  `api-key=${s}`,
  `k=%zz${s}`,
  `${s},HS256`,
  `-----BEGIN PUBLIC KEY-----\n${s}\n-----END PUBLIC KEY-----`,
  ` ${s} `,
  `${s}\n`,
  s.repeat(200),
];
const secretBearing = secret.chain((s) => fc.constantFrom(...secretShapes(s)));

const oddText = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1.5', '0x10', '1e3', '1e999', 'NaN', 'Infinity', '9'.repeat(400), 'true', 'FALSE', 'none', 'grpc', ',,,', '\u0000', 'ünïcödé', '\u{1F525}', '\uD800'),
  fc.string({ maxLength: 40, unit: 'grapheme' }),
);

/** A value that the variable accepts, so that other faults are not hidden behind it. */
const validValue = (name: string): fc.Arbitrary<string> => {
  const kind = ENV_VARIABLES.find((v) => v.name === name)?.kind;
  const byName: Record<string, fc.Arbitrary<string>> = {
    NODE_ENV: fc.constantFrom('development', 'production', 'test'),
    HOST: fc.constant('127.0.0.1'),
    METRICS_HOST: fc.constant('127.0.0.1'),
    PORT: fc.integer({ min: 0, max: 65535 }).map(String),
    METRICS_PORT: fc.integer({ min: 0, max: 65535 }).map(String),
    DRS_ENDPOINT: fc.constant('https://drs.cn-north-4.myhuaweicloud.com'),
    IAM_ENDPOINT: fc.constant('https://iam.cn-north-4.myhuaweicloud.com'),
    IAM_PASSWORD: secret,
    REDIS_URL: secret.map((s) => `redis://:${s}@127.0.0.1:6379`),
    TOKEN_CACHE_KEY: base64Key,
    JWT_SECRET: secret.map((s) => s.repeat(3)),
    JWT_PUBLIC_KEY: secret.map((s) => `-----BEGIN PUBLIC KEY-----\n${s}\n-----END PUBLIC KEY-----`),
    JWT_JWKS_URI: secret.map((s) => `https://idp.example.com/jwks?policy=${s}`),
    JWT_ALGORITHMS: fc.constantFrom('HS256', 'RS256,ES256'),
    RATE_LIMIT_ON_STORE_ERROR: fc.constantFrom('local', 'open', 'closed'),
    CORS_ORIGINS: fc.constant('https://app.example.com'),
    OTEL_TRACES_EXPORTER: fc.constantFrom('otlp', 'none'),
    OTEL_EXPORTER_OTLP_ENDPOINT: fc.constant('http://collector:4318'),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: fc.constant('http://collector:4318/v1/traces'),
    OTEL_EXPORTER_OTLP_PROTOCOL: fc.constantFrom('http/protobuf', 'http/json'),
    OTEL_EXPORTER_OTLP_HEADERS: secret.map((s) => `api-key=${s}`),
    OTEL_EXPORTER_OTLP_COMPRESSION: fc.constantFrom('gzip', 'none'),
    OTEL_TRACES_SAMPLER: fc.constantFrom('always_on', 'parentbased_traceidratio'),
    OTEL_TRACES_SAMPLER_ARG: fc.constantFrom('0', '0.25', '1'),
    LOG_LEVEL: fc.constantFrom('info', 'silent'),
    GATEWAY_CONFIG: fc.constant(CONFIG_PATH),
  };
  if (byName[name]) return byName[name];
  if (name.endsWith('_FILE')) return fc.constantFrom(...SECRET_FILES);
  if (kind === 'int') return fc.integer({ min: 1, max: 100_000 }).map(String);
  if (kind === 'boolean') return fc.constantFrom('true', 'false');
  return secret;
};

const envValue = (name: string): fc.Arbitrary<string> =>
  fc.oneof({ weight: 3, arbitrary: validValue(name) }, { weight: 2, arbitrary: secretBearing }, { weight: 1, arbitrary: oddText }, { weight: 1, arbitrary: secret.map((s) => `/run/${s}`) });

const envName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...knownEnvironmentNames()) },
  { weight: 1, arbitrary: fc.constantFrom(...PASSWORD_VARIABLES, 'GATEWAY_CONFIG_FILE', 'IAM_PASSWORD_FILE_FILE', 'port', '') },
);
const environment = fc.array(envName.chain((name) => envValue(name).map((value) => [name, value] as const)), { maxLength: 25 }).map((pairs) => Object.fromEntries(pairs));

// ---- the file -----------------------------------------------------------------------------------------------------

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 2.5, Number.MAX_SAFE_INTEGER * 4, Infinity, -Infinity, Number.NaN, '', [], {}),
  secretBearing,
  fc.array(secret, { maxLength: 3 }),
  secret.map((s) => ({ nested: s })),
  fc.integer({ min: 2, max: 120 }).map((depth) => Array.from({ length: depth }).reduce<unknown>((inner) => ({ a: inner }), 'deep')),
);

const unknownKey = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.stringMatching(/^unknown[A-Za-z]{0,8}$/), fc.constantFrom('', ' ', 'a.b', '\u{1F525}'));

type Shape = { [key: string]: fc.Arbitrary<unknown> | Shape };

/** A section of the file: some known keys with valid or wrong values, sometimes an unknown key, sometimes the wrong type altogether. */
const section = (shape: Shape): fc.Arbitrary<unknown> => {
  const known = Object.entries(shape).map(([key, value]) => {
    const valid = value instanceof fc.Arbitrary ? value : section(value);
    return fc.option(fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: wrongType }).map((v) => [key, v] as const), { nil: undefined, freq: 2 });
  });
  const extra = fc.array(fc.tuple(unknownKey, fc.oneof(secretBearing, wrongType)), { maxLength: 2 });
  const object = fc.tuple(fc.tuple(...known), extra).map(([pairs, more]) => objectOf([...pairs.filter((p) => p !== undefined), ...more]));
  return fc.oneof({ weight: 8, arbitrary: object }, { weight: 1, arbitrary: wrongType });
};

const projectId = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-f0-9]{32}$/) }, { weight: 1, arbitrary: fc.oneof(unknownKey, fc.stringMatching(/^[a-z0-9]{1,31}$/), fc.constant('x'.repeat(5000))) });
/** Names of regions, credentials and tiers: good ones, and the prototype's own, which are valid names too. */
const entryName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('default', 'main', 'partner', 'cn-north-4') }, { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, 'bad name', '') });
/** What a reference may say: a defined name, a missing one, a prototype property or a misplaced secret. */
const reference = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('default', 'main', 'partner', 'cn-north-4') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'nowhere'), secret) });
const url = fc.oneof({ weight: 3, arbitrary: fc.constant('https://drs.example.com') }, { weight: 1, arbitrary: secretBearing });
const positive = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }) }, { weight: 1, arbitrary: wrongType });

const record = (key: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary: fc.array(fc.tuple(key, value), { maxLength: 3 }).map(objectOf) }, { weight: 1, arbitrary: wrongType });

const credential = section({
  domainName: fc.constant('acme'),
  userName: secret,
  passwordFile: fc.oneof(fc.constantFrom(...SECRET_FILES, '/run/secrets/missing'), secret),
  passwordEnv: fc.oneof(fc.constantFrom(...PASSWORD_VARIABLES, 'UNSET_VARIABLE', '1not-a-name'), secret),
  password: secret,
});

const fileTree = section({
  nodeEnv: fc.constantFrom('development', 'production'),
  server: { port: fc.integer({ min: 0, max: 65535 }), host: fc.constant('127.0.0.1'), bodyLimitBytes: positive, headersTimeoutMs: positive },
  drs: { endpoint: url, timeoutMs: positive },
  iam: { endpoint: url, domainName: secret, userName: secret, password: secret, refreshMarginMs: positive },
  redis: { url: secretBearing, tokenCacheKey: fc.oneof(base64Key, secret), sentinel: { name: secret, password: secret, sentinels: fc.constant([{ host: 'h', port: 26379 }]) } },
  jwt: { secret: secretBearing, issuer: secret, audience: secret, algorithms: fc.constantFrom(['HS256'], ['none'], []) },
  rateLimit: { max: positive, windowMs: positive, onStoreError: fc.constantFrom('local', 'closed'), tiers: fc.array(section({ name: fc.oneof(secret, entryName), scope: secret, max: positive }), { maxLength: 3 }) },
  regions: record(entryName, section({ drsEndpoint: url, iamEndpoint: url })),
  credentials: record(entryName, credential),
  projects: record(projectId, section({ region: reference, credential: reference, jobBudget: positive })),
  access: { groupsClaim: secret, groups: record(fc.constantFrom('dba-team', 'admins', ...PROTOTYPE_KEYS), fc.array(fc.stringMatching(/^[a-f0-9]{32}$/), { maxLength: 2 })) },
  tracing: { headers: secretBearing, sampler: fc.constantFrom('always_on', 'jaeger_remote'), batch: { maxQueueSize: positive, maxExportBatchSize: positive } },
  logLevel: fc.constantFrom('info', 'loud'),
  auditLog: secret.map((s) => `/var/log/${s}`),
});

/** The file's text: YAML or JSON of a generated tree, or text that is broken on purpose. */
const fileText = fileTree.chain((tree) => {
  const yaml = toYaml(tree);
  const json = JSON.stringify(tree) ?? 'null';
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(yaml) },
    { weight: 3, arbitrary: fc.constant(json) },
    { weight: 1, arbitrary: fc.nat({ max: yaml.length }).map((cut) => yaml.slice(0, cut)) },
    { weight: 1, arbitrary: fc.tuple(fc.nat({ max: json.length }), fc.constantFrom('\t', ':', '{', '"', '&a', '*a', '!!binary', '\u0000', '\n- ')).map(([at, junk]) => json.slice(0, at) + junk + json.slice(at)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  );
});

const secretFile = fc.oneof(secret.map((s) => `${s}\n`), secret, fc.constantFrom('', '\n', '\r\n'));

const chaos: fc.Arbitrary<ConfigInput> = fc
  .record({
    env: environment,
    useFile: fc.oneof({ weight: 4, arbitrary: fc.constant(CONFIG_PATH) }, { weight: 1, arbitrary: fc.constantFrom('/missing.yaml', '') }),
    file: fileText,
    secretFiles: fc.tuple(secretFile, secretFile),
  })
  .map(({ env, useFile, file, secretFiles }) => ({
    env: { ...env, GATEWAY_CONFIG: useFile },
    files: { [CONFIG_PATH]: file, [SECRET_FILES[0] as string]: secretFiles[0], [SECRET_FILES[1] as string]: secretFiles[1] },
  }));

// ---- the properties ---------------------------------------------------------------------------------------------

/** The loader's answer: the loaded configuration, or its ConfigError; anything else thrown fails the property. */
const load = (input: ConfigInput): LoadedConfig | ConfigError => {
  try {
    return loadConfig(sources(input.env, input.files));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`loadConfig threw something other than a ConfigError: ${String(error)}`, { cause: error });
  }
};

/** Top-level keys of the file as a YAML parser reads them (own keys, `__proto__` included) and a problem shows them, or none when it does not parse. */
const fileKeys = (input: ConfigInput): Set<string> => {
  const path = input.env.GATEWAY_CONFIG;
  const text = path ? input.files[path] : undefined;
  try {
    const parsed: unknown = text === undefined ? undefined : parseYaml(text);
    return new Set(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed).map((key) => settingPath([key])) : []);
  } catch {
    return new Set();
  }
};

/** `PORT`, `PORT (or server.port in GATEWAY_CONFIG)`, or a dotted path under a known setting or a key of the file. */
const namesSetting = (key: string, keysOfFile: ReadonlySet<string>): boolean => {
  const [name, alias] = /^(\S+) \(or (\S+) in GATEWAY_CONFIG\)$/.exec(key)?.slice(1) ?? [key, undefined];
  if (alias !== undefined) return ENVIRONMENT_NAMES.has(name as string) && TOP_LEVEL_SETTINGS.has(alias.split('.')[0] as string);
  if (ENVIRONMENT_NAMES.has(key)) return true;
  const top = key.split('.')[0] as string;
  return TOP_LEVEL_SETTINGS.has(top) || keysOfFile.has(top) || keysOfFile.has(key);
};

const secretsIn = (input: ConfigInput): string[] => [
  ...new Set([...Object.values(input.env), ...Object.values(input.files)].flatMap((text) => text.match(new RegExp(`${MARK}[A-Za-z0-9]+`, 'g')) ?? [])),
];

/** Every key of the parsed file, at any depth. */
const keysIn = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([key, child]) => [key, ...keysIn(child)]) : [];

/**
 * Keys the file really has, as a problem may show them (a mangled line can turn a value into a key: only its
 * name-like start is shown, and that start is then the file's key, not a value).
 */
const shownKeysOf = (input: ConfigInput): string[] => {
  const text = input.env.GATEWAY_CONFIG ? input.files[input.env.GATEWAY_CONFIG] : undefined;
  try {
    return keysIn(text === undefined ? undefined : parseYaml(text)).map((key) => settingPath([key]).replace(/…$/, '')).filter((key) => key.includes(MARK));
  } catch {
    return [];
  }
};

const expectNoValueIn = (error: ConfigError, input: ConfigInput): void => {
  const secrets = secretsIn(input);
  const keys = shownKeysOf(input);
  for (const shown of [error.message, ...error.problems.flatMap((p) => [p.key, p.problem])]) {
    const text = keys.reduce((rest, key) => rest.split(key).join(''), shown);
    if (text.includes(MARK) || secrets.some((s) => text.includes(s))) throw new Error(`a problem shows a value: ${JSON.stringify(shown.slice(0, 300))}`);
  }
};

/** A loaded configuration holds together: every reference resolves to an own entry, and no key came from a prototype. */
const expectConsistent = (config: LoadedConfig['config'], input: ConfigInput): void => {
  for (const [id, project] of Object.entries(config.projects ?? {})) {
    if (!Object.hasOwn(config.regions, project.region)) throw new Error(`projects.${id}.region names no region, yet the configuration loaded`);
    if (!Object.hasOwn(config.credentials, project.credential)) throw new Error(`projects.${id}.credential names no credential, yet the configuration loaded`);
  }
  for (const key in config) if (!Object.hasOwn(config, key)) throw new Error(`the loaded configuration inherits ${key}`);
  const unknown = [...fileKeys(input)].filter((key) => !TOP_LEVEL_SETTINGS.has(key));
  if (unknown.length > 0) throw new Error(`the file's unknown keys ${JSON.stringify(unknown)} were accepted`);
};

const checkChaos = (input: ConfigInput): void => {
  const outcome = load(input);
  if (!(outcome instanceof ConfigError)) {
    expectConsistent(outcome.config, input);
    return;
  }
  expect(outcome.problems.length).toBeGreaterThan(0);
  const keysOfFile = fileKeys(input);
  for (const problem of outcome.problems) {
    if (!namesSetting(problem.key, keysOfFile)) throw new Error(`a problem names no setting: ${JSON.stringify(problem).slice(0, 300)}`);
  }
  expectNoValueIn(outcome, input);
};

// ---- planted faults -------------------------------------------------------------------------------------------

const VALID_PROJECT = fc.stringMatching(/^[a-f0-9]{32}$/);

/** A valid configuration in a file (regions, credentials by file or variable, projects, tiers named with secrets). */
const validConfig = fc.record({
  regions: fc.uniqueArray(fc.constantFrom('cn-north-4', 'ap-southeast-1', 'eu-west-0'), { minLength: 1, maxLength: 3 }),
  credentials: fc.uniqueArray(fc.constantFrom('main', 'partner'), { minLength: 1, maxLength: 2 }),
  projects: fc.uniqueArray(VALID_PROJECT, { minLength: 1, maxLength: 3 }),
  tiers: fc.uniqueArray(secret, { maxLength: 3 }),
  passwords: fc.tuple(secret, secret),
  byFile: fc.boolean(),
  userName: secret,
  jwtSecret: secret.map((s) => s.repeat(3)),
});
type ValidConfig = typeof validConfig extends fc.Arbitrary<infer T> ? T : never;

const treeOf = (c: ValidConfig): Record<string, unknown> => ({
  regions: Object.fromEntries(c.regions.map((r) => [r, { drsEndpoint: `https://drs.${r}.example.com`, iamEndpoint: `https://iam.${r}.example.com` }])),
  credentials: Object.fromEntries(
    c.credentials.map((name, i) => [name, { domainName: 'acme', userName: c.userName, ...(c.byFile ? { passwordFile: SECRET_FILES[i] } : { passwordEnv: PASSWORD_VARIABLES[i] }) }]),
  ),
  projects: Object.fromEntries(c.projects.map((p, i) => [p, { region: c.regions[i % c.regions.length], credential: c.credentials[i % c.credentials.length] }])),
  rateLimit: { tiers: c.tiers.map((name) => ({ name, scope: `drs:precheck:${name}`, max: 100 })) },
});

/** A fault: where it goes in the tree, and the setting a problem must then name. */
interface Fault {
  name: string;
  plant: (tree: Record<string, unknown>) => void;
  setting: string;
}

const at = (tree: Record<string, unknown>, path: readonly string[]): Record<string, unknown> =>
  path.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, tree);
const put = (tree: Record<string, unknown>, path: readonly string[], key: string, value: unknown): void => {
  Object.defineProperty(at(tree, path), key, { value, enumerable: true, writable: true, configurable: true });
};

const SCALARS: ReadonlyArray<readonly [readonly string[], string]> = [
  [['server', 'port'], 'server.port'],
  [['rateLimit', 'max'], 'rateLimit.max'],
  [['logLevel'], 'logLevel'],
  [['drs', 'timeoutMs'], 'drs.timeoutMs'],
  [['progress', 'pollIntervalMs'], 'progress.pollIntervalMs'],
  [['tracing', 'sampler'], 'tracing.sampler'],
];
const clearlyWrong = fc.oneof(secretBearing, fc.constantFrom(-1, 2.5, true, [], {}, Infinity));

const faultFor = (c: ValidConfig): fc.Arbitrary<Fault> => {
  const credentialName = fc.constantFrom(...c.credentials);
  const project = fc.constantFrom(...c.projects);
  const strictSection = fc.constantFrom<readonly string[]>([], ['rateLimit'], ['regions', c.regions[0] as string], ['credentials', c.credentials[0] as string], ['projects', c.projects[0] as string]);
  const recordSection = fc.constantFrom('regions', 'credentials', 'projects');
  return fc.oneof(
    fc.constant({ name: 'none', plant: () => undefined, setting: '' }),
    fc.tuple(strictSection, unknownKey.filter((k) => k !== ''), fc.oneof(secretBearing, wrongType)).map(([path, key, value]) => ({
      name: 'unknown key',
      plant: (tree: Record<string, unknown>) => put(tree, path, key, value),
      setting: settingPath([...path, key]),
    })),
    fc.tuple(recordSection, fc.constantFrom('__proto__', 'bad name', 'x'.repeat(70))).map(([path, key]) => ({
      name: 'an entry whose name is not a name',
      plant: (tree: Record<string, unknown>) => put(tree, [path], key, path === 'projects' ? { region: c.regions[0] } : {}),
      setting: settingPath([path, key]),
    })),
    fc.tuple(credentialName, secret).map(([name, value]) => ({
      name: 'inline password',
      plant: (tree: Record<string, unknown>) => put(tree, ['credentials', name], 'password', value),
      setting: `credentials.${name}.password`,
    })),
    fc.tuple(project, fc.constantFrom('region', 'credential'), fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS.filter((k) => k !== '__proto__'), 'nowhere'), secret)).map(([id, field, value]) => ({
      name: 'missing reference',
      plant: (tree: Record<string, unknown>) => put(tree, ['projects', id], field, value),
      setting: `projects.${id}.${field}`,
    })),
    // A reference that resolves to nothing: the other kind of reference is taken out, so this one is the only one.
    fc
      .tuple(credentialName, fc.constantFrom(['passwordEnv', 'passwordFile', 'UNSET_VARIABLE'], ['passwordFile', 'passwordEnv', '/run/secrets/missing']), secret, fc.boolean())
      .map(([name, [field, other, missing], misplaced, useSecret]) => ({
        name: `${field} resolves to nothing`,
        plant: (tree: Record<string, unknown>) => {
          const entry = at(tree, ['credentials', name]);
          delete entry[other];
          entry[field] = useSecret ? misplaced : missing;
        },
        setting: `credentials.${name}.${field}`,
      })),
    fc.tuple(fc.constantFrom(...SCALARS), clearlyWrong).map(([[path, setting], value]) => ({
      name: 'wrong type',
      plant: (tree: Record<string, unknown>) => {
        const parent = path.slice(0, -1);
        let node = tree;
        for (const key of parent) node = (node[key] ??= {}) as Record<string, unknown>;
        node[path[path.length - 1] as string] = value;
      },
      setting,
    })),
    ...(c.tiers.length > 0
      ? [fc.constant({ name: 'tier named twice', plant: (tree: Record<string, unknown>) => (tree.rateLimit as { tiers: unknown[] }).tiers.push({ name: c.tiers[0], scope: 'x', max: 1 }), setting: `rateLimit.tiers.${c.tiers.length}.name` })]
      : []),
  );
};

const inputOf = (c: ValidConfig, tree: Record<string, unknown>, asJson: boolean): ConfigInput => ({
  env: { GATEWAY_CONFIG: CONFIG_PATH, JWT_SECRET: c.jwtSecret, [PASSWORD_VARIABLES[0] as string]: c.passwords[0], [PASSWORD_VARIABLES[1] as string]: c.passwords[1] },
  files: { [CONFIG_PATH]: asJson ? JSON.stringify(tree) : toYaml(tree), [SECRET_FILES[0] as string]: `${c.passwords[0]}\n`, [SECRET_FILES[1] as string]: c.passwords[1] },
});

const planted: fc.Arbitrary<PlantedInput> = fc.tuple(validConfig, fc.boolean()).chain(([c, asJson]) =>
  faultFor(c).map((fault) => {
    const tree = treeOf(c);
    fault.plant(tree);
    return { ...inputOf(c, tree, asJson), fault: fault.name, setting: fault.setting };
  }),
);

/** The setting is named as itself, as its variable's alias, or as the entry it belongs to (`credentials.main`). */
const names = (key: string, setting: string): boolean => key === setting || key.endsWith(`(or ${setting} in GATEWAY_CONFIG)`);

const checkPlanted = (input: PlantedInput): void => {
  const outcome = load(input);
  if (input.fault === 'none') {
    if (outcome instanceof ConfigError) throw new Error(`a valid configuration was refused: ${outcome.message.slice(0, 400)}`);
    return;
  }
  if (!(outcome instanceof ConfigError)) throw new Error(`${input.fault} at ${input.setting} was accepted`);
  if (!outcome.problems.some((p) => names(p.key, input.setting))) {
    throw new Error(`${input.fault}: no problem names ${input.setting}; got ${JSON.stringify(outcome.problems.map((p) => p.key)).slice(0, 400)}`);
  }
  expectNoValueIn(outcome, input);
};

describe('the configuration loader under fuzzing', () => {
  describe('replays its kept corpus first', () => {
    replayCorpus('config', checkChaos);
    replayCorpus('config-planted', checkPlanted);
  });

  it('gives a consistent configuration or a ConfigError naming settings, never values, whatever the environment and file', async () => {
    await assertFuzz('config', fc.property(chaos, checkChaos), 300);
  }, FUZZ_TIMEOUT_MS);

  it('loads a generated valid configuration, and refuses it with one planted fault, naming its setting and no value', async () => {
    await assertFuzz('config-planted', fc.property(planted, checkPlanted), 400);
  }, FUZZ_TIMEOUT_MS);
});
