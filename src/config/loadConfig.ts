// Pure loader: env + optional config file + defaults -> one validated GatewayConfig, or every problem at once.
import { parse as parseYaml } from 'yaml';
import { isRecord, type UnknownRecord } from '../isRecord';
import { ConfigError, settingPath, type ConfigProblem } from './ConfigError';
import { DEFAULT_SHUTDOWN_DELAY_MS, DEFAULTS } from './defaults';
import { CONFIG_FILE_VARIABLE, ENV_VARIABLES, fileVariableOf, type EnvVariable } from './envVariables';
import { resolveTopology, withoutFinalNewline } from './resolveTopology';
import { configSchema, type GatewayConfig } from './schema';

export interface ConfigSources {
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8 (config file and *_FILE secrets); injected so the loader stays pure. */
  readFile: (path: string) => string;
  /** Only called in development when no inbound key is configured. */
  generateSecret: () => string;
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** True when the gateway made up its own HS256 secret (sandbox only). */
  generatedJwtSecret: boolean;
  /**
   * The GATEWAY_CONFIG file as read, before defaults and environment variables: a reload compares its restart-only
   * values too, so changing one in the file is refused even while an environment variable overrides it.
   */
  fileSettings: Readonly<UnknownRecord>;
}

const deepMerge = (base: UnknownRecord, over: UnknownRecord): UnknownRecord => {
  const out: UnknownRecord = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return out;
};

const setPath = (tree: UnknownRecord, path: readonly string[], value: unknown): void => {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = isRecord(next) ? next : (node[key] = {});
  }
  node[path[path.length - 1] as string] = value;
};

const readEnvValue = (variable: EnvVariable, sources: ConfigSources, problems: ConfigProblem[]): string | undefined => {
  const rawDirect = sources.env[variable.name];
  // An empty variable counts as unset, as in most shells' `VAR= cmd`.
  const direct = rawDirect === '' ? undefined : rawDirect;
  const fileVariable = fileVariableOf(variable.name);
  const filePath = variable.secret ? sources.env[fileVariable] : undefined;
  if (direct !== undefined && filePath !== undefined) {
    problems.push({ key: variable.name, problem: `set both ${variable.name} and ${fileVariable}; use one` });
    return undefined;
  }
  if (filePath === undefined) return direct;
  try {
    return withoutFinalNewline(sources.readFile(filePath));
  } catch {
    problems.push({ key: fileVariable, problem: 'file cannot be read' });
    return undefined;
  }
};

const convert = (variable: EnvVariable, raw: string, problems: ConfigProblem[]): unknown => {
  if (variable.kind === 'list') return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (variable.kind === 'int') {
    if (!/^\d+$/.test(raw.trim())) {
      problems.push({ key: variable.name, problem: 'must be a whole number' });
      return undefined;
    }
    return Number(raw.trim());
  }
  if (variable.kind === 'number') {
    const text = raw.trim();
    // Number('') and Number(' ') are 0, and Number('0x1') is 1: only a plain decimal is a number here.
    if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(text)) {
      problems.push({ key: variable.name, problem: 'must be a number' });
      return undefined;
    }
    return Number(text);
  }
  if (variable.kind === 'boolean') {
    // The OpenTelemetry specification's booleans: true or false, in any case.
    const text = raw.trim().toLowerCase();
    if (text !== 'true' && text !== 'false') {
      problems.push({ key: variable.name, problem: 'must be true or false' });
      return undefined;
    }
    return text === 'true';
  }
  return raw;
};

/**
 * A parser keeps a `__proto__` key as an own property, but merging it would replace the tree's prototype (its settings
 * then applying unseen, never reported as unknown) and zod's records drop it without a word: refused by name, and taken out.
 */
const refusePrototypeKeys = (value: unknown, path: readonly string[], problems: ConfigProblem[]): void => {
  if (typeof value !== 'object' || value === null) return;
  if (Object.hasOwn(value, '__proto__')) {
    problems.push({ key: settingPath([...path, '__proto__']), problem: 'is not a known setting (GATEWAY_CONFIG)' });
    delete (value as UnknownRecord).__proto__;
  }
  for (const [key, child] of Object.entries(value)) refusePrototypeKeys(child, [...path, key], problems);
};

const readConfigFile = (sources: ConfigSources, problems: ConfigProblem[]): UnknownRecord => {
  const path = sources.env[CONFIG_FILE_VARIABLE];
  if (!path) return {};
  let text: string;
  try {
    text = sources.readFile(path);
  } catch {
    problems.push({ key: 'GATEWAY_CONFIG', problem: 'file cannot be read' });
    return {};
  }
  try {
    const parsed: unknown = parseYaml(text);
    // An empty file is most likely one caught mid-write (the chaos run started an instance on a half-written file,
    // which then ran without Redis); `{}` still says "no settings" on purpose.
    if (parsed === null || parsed === undefined) problems.push({ key: 'GATEWAY_CONFIG', problem: 'is empty (write {} for a file with no settings)' });
    else if (isRecord(parsed)) {
      refusePrototypeKeys(parsed, [], problems);
      return parsed;
    } else problems.push({ key: 'GATEWAY_CONFIG', problem: 'must hold a YAML or JSON object' });
  } catch {
    problems.push({ key: 'GATEWAY_CONFIG', problem: 'is not valid YAML or JSON' });
  }
  return {};
};

const productionProblems = (config: GatewayConfig, generated: boolean, derived: ReadonlySet<string>): ConfigProblem[] => {
  const missing: ConfigProblem[] = [];
  const need = (ok: boolean, key: string, problem: string) => {
    if (!ok) missing.push({ key, problem });
  };
  // Every region and credential is checked; the derived `default` ones are named by their flat variables.
  const simulator = 'required in production (the embedded simulator is for development)';
  for (const [name, region] of Object.entries(config.regions)) {
    const flat = derived.has(`regions.${name}`);
    need(region.drsEndpoint !== undefined, flat ? 'DRS_ENDPOINT' : `regions.${name}.drsEndpoint`, simulator);
    need(region.iamEndpoint !== undefined, flat ? 'IAM_ENDPOINT' : `regions.${name}.iamEndpoint`, simulator);
  }
  for (const [name, credential] of Object.entries(config.credentials)) {
    const flat = derived.has(`credentials.${name}`);
    need(credential.password !== DEFAULTS.iam.password, flat ? 'IAM_PASSWORD' : `credentials.${name}.password`, 'required in production (the sandbox password is refused)');
    need(credential.userName !== DEFAULTS.iam.userName, flat ? 'IAM_USER_NAME' : `credentials.${name}.userName`, 'required in production (the sandbox user is refused)');
    need(credential.domainName !== DEFAULTS.iam.domainName, flat ? 'IAM_DOMAIN_NAME' : `credentials.${name}.domainName`, 'required in production (the sandbox domain is refused)');
  }
  const redisConfigured = config.redis.url !== undefined || config.redis.sentinel !== undefined || config.redis.cluster !== undefined;
  need(redisConfigured, 'REDIS_URL', 'required in production (in-memory stores are per instance); or redis.sentinel / redis.cluster in GATEWAY_CONFIG');
  need(!redisConfigured || config.redis.tokenCacheKey !== undefined, 'TOKEN_CACHE_KEY', 'required with REDIS_URL in production (IAM tokens are encrypted at rest)');
  need(!generated, 'JWT_SECRET', 'an inbound key is required in production: set JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URI');
  need(config.jwt.issuer !== undefined, 'JWT_ISSUER', 'required in production');
  need(config.jwt.audience !== undefined, 'JWT_AUDIENCE', 'required in production');
  return missing;
};

const keyOf = (path: readonly PropertyKey[], envSet: ReadonlySet<string>): string => {
  const dotted = settingPath(path);
  const variable = ENV_VARIABLES.find((v) => v.path.join('.') === path.slice(0, v.path.length).map(String).join('.'));
  return variable && envSet.has(variable.name) ? variable.name : variable ? `${variable.name} (or ${dotted} in GATEWAY_CONFIG)` : dotted;
};

export const loadConfig = (sources: ConfigSources): LoadedConfig => {
  const problems: ConfigProblem[] = [];
  const file = readConfigFile(sources, problems);
  const tree = deepMerge(structuredClone(DEFAULTS) as unknown as UnknownRecord, structuredClone(file));
  const envSet = new Set<string>();
  for (const variable of ENV_VARIABLES) {
    const raw = readEnvValue(variable, sources, problems);
    if (raw === undefined) continue;
    envSet.add(variable.name);
    const value = convert(variable, raw, problems);
    if (value !== undefined) setPath(tree, variable.path, value);
  }

  const jwt = isRecord(tree.jwt) ? tree.jwt : {};
  const production = tree.nodeEnv === 'production';
  const generated = jwt.secret === undefined && jwt.publicKey === undefined && jwt.jwksUri === undefined;
  if (generated && !production) setPath(tree, ['jwt', 'secret'], sources.generateSecret());
  const server = isRecord(tree.server) ? tree.server : {};
  if (server.shutdownDelayMs === undefined) setPath(tree, ['server', 'shutdownDelayMs'], production ? DEFAULT_SHUTDOWN_DELAY_MS.production : DEFAULT_SHUTDOWN_DELAY_MS.other);

  const fileDrs = isRecord(file.drs) ? file.drs : {};
  const fileIam = isRecord(file.iam) ? file.iam : {};
  const flat = {
    region: ['DRS_ENDPOINT', 'IAM_ENDPOINT'].some((name) => envSet.has(name)) || fileDrs.endpoint !== undefined || fileIam.endpoint !== undefined,
    credential: ['IAM_DOMAIN_NAME', 'IAM_USER_NAME', 'IAM_PASSWORD'].some((name) => envSet.has(name)) || ['domainName', 'userName', 'password'].some((key) => fileIam[key] !== undefined),
  };
  const { derived, reported } = resolveTopology(tree, file, flat, sources, problems);

  const result = configSchema.safeParse(tree);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const dotted = issue.path.map(String).join('.');
      // A derived entry repeats a flat setting, whose own problem is already reported under its own name.
      if ([...derived].some((path) => dotted === path || dotted.startsWith(`${path}.`)) || reported.has(dotted)) continue;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push({ key: settingPath([...issue.path, key]), problem: 'is not a known setting (GATEWAY_CONFIG)' });
      } else {
        problems.push({ key: keyOf(issue.path, envSet), problem: issue.message });
      }
    }
    throw new ConfigError(problems, file);
  }
  if (production) problems.push(...productionProblems(result.data, generated, derived));
  if (problems.length > 0) throw new ConfigError(problems, file);
  return { config: result.data, generatedJwtSecret: generated, fileSettings: file };
};
