// Every reloadable setting, changed alone where an operator changes it, reaches the request path: a new piece or the new value.
import stringify from 'safe-stable-stringify';
import type { z } from 'zod';
import { ConfigError } from '../../src/config/ConfigError';
import { ENV_VARIABLES } from '../../src/config/envVariables';
import { loadConfig, type ConfigSources } from '../../src/config/loadConfig';
import { RESTART_ONLY_SETTINGS } from '../../src/config/restartOnly';
import { configSchema, type GatewayConfig } from '../../src/config/schema';
import { isRecord, type UnknownRecord } from '../../src/isRecord';
import { createRuntimeHolder } from '../../src/topology/createRuntimeHolder';
import type { Runtime } from '../../src/topology/Runtime';
import { TEST_SECRET } from '../support/tokens';
import { testRuntimeServices } from '../support/runtimeServices';

const A = '054ba152d480d55b2f5dc0069e7ddef0';
const B = 'a4a5d4098fb4474fa22cd05f897d6b99';
const C = 'c0ffee0000000000000000000000000c';
const UNSERVED = 'd'.repeat(32);
const CONFIG_FILE = 'gateway.json';

/** One of each kind of section: a flat default region and credential, a file region, credentials by env and by file. */
const BASE_FILE = {
  drs: { endpoint: 'http://127.0.0.1:9001', timeoutMs: 10_000, maxResponseBytes: 1_048_576 },
  iam: { endpoint: 'http://127.0.0.1:9002', domainName: 'flat-domain', userName: 'flat-user', timeoutMs: 5_000, refreshMarginMs: 900_000 },
  rateLimit: {
    max: 60,
    windowMs: 60_000,
    ipMax: 1_200,
    ipWindowMs: 60_000,
    projectJobBudget: 50,
    projectJobBudgetWindowMs: 60_000,
    tiers: [{ name: 'services', scope: 'drs:precheck:bulk', max: 600, windowMs: 60_000 }],
  },
  regions: { north: { drsEndpoint: 'http://127.0.0.1:9011', iamEndpoint: 'http://127.0.0.1:9012' } },
  credentials: {
    partner: { domainName: 'partner-domain', userName: 'partner-user', passwordEnv: 'PARTNER_PASSWORD' },
    ops: { domainName: 'ops-domain', userName: 'ops-user', passwordFile: '/run/secrets/ops' },
  },
  projects: { [A]: { region: 'default', credential: 'default' }, [B]: { region: 'north', credential: 'partner', jobBudget: 3 }, [C]: { region: 'north', credential: 'ops' } },
  access: { groupsClaim: 'groups', groups: { operators: [A] } },
};
const BASE_ENV = { GATEWAY_CONFIG: CONFIG_FILE, JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', PORT: '0', IAM_PASSWORD: 'flat-password', PARTNER_PASSWORD: 'partner-password', SPARE_PASSWORD: 'spare-password' };
const BASE_FILES = { '/run/secrets/ops': 'ops-password', '/run/secrets/spare': 'spare-file-password' };

interface Sources {
  env: Record<string, string>;
  files: Record<string, string>;
  file: UnknownRecord;
}

const toConfigSources = ({ env, files, file }: Sources): ConfigSources => ({
  env,
  readFile: (path) => {
    if (path === CONFIG_FILE) return JSON.stringify(file);
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT ${path}`);
    return text;
  },
  generateSecret: () => {
    throw new Error('JWT_SECRET is set');
  },
});

const load = (sources: Sources): GatewayConfig | undefined => {
  try {
    return loadConfig(toConfigSources(sources)).config;
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
};

const base = (): Sources => ({ env: { ...BASE_ENV }, files: { ...BASE_FILES }, file: structuredClone(BASE_FILE) });

/** A setting in the schema's shape: `*` stands for any key of a map or index of a list of objects. */
interface Setting {
  pattern: string;
  leaf: z.core.$ZodType;
}

/** Every setting the schema defines, walked from its definition (a list of plain values is one setting). */
const settingsOf = (schema: z.core.$ZodType, path: string[] = []): Setting[] => {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  if (def.type === 'optional') return settingsOf(def.innerType as z.core.$ZodType, path);
  if (def.type === 'object') return Object.entries(def.shape as Record<string, z.core.$ZodType>).flatMap(([key, value]) => settingsOf(value, [...path, key]));
  if (def.type === 'record') return settingsOf(def.valueType as z.core.$ZodType, [...path, '*']);
  if (def.type === 'array' && (def.element as z.core.$ZodType)._zod.def.type === 'object') return settingsOf(def.element as z.core.$ZodType, [...path, '*']);
  return [{ pattern: path.join('.'), leaf: schema }];
};

const isRestartOnly = (pattern: string): boolean => RESTART_ONLY_SETTINGS.some((prefix) => pattern === prefix || pattern.startsWith(`${prefix}.`));

const at = (tree: unknown, path: readonly string[]): unknown => path.reduce<unknown>((node, key) => (isRecord(node) || Array.isArray(node) ? (node as UnknownRecord)[key] : undefined), tree);

const setAt = (tree: UnknownRecord, path: readonly string[], value: unknown): void => {
  let node: UnknownRecord = tree;
  for (const key of path.slice(0, -1)) {
    if (!isRecord(node[key]) && !Array.isArray(node[key])) node[key] = {};
    node = node[key] as UnknownRecord;
  }
  node[path[path.length - 1] as string] = value;
};

/** The concrete paths of a pattern in the base configuration: each region, credential, project, tier, group. */
const instancesOf = (pattern: string, config: GatewayConfig): string[][] =>
  pattern.split('.').reduce<string[][]>(
    (paths, part) => paths.flatMap((path) => (part === '*' ? Object.keys((at(config, path) as object | undefined) ?? {}).map((key) => [...path, key]) : [[...path, part]])),
    [[]],
  );

/** Values to try, each valid for the schema's type; the loader has the last word (references, secrets, URLs). */
const candidatesFor = (leaf: z.core.$ZodType, current: unknown, sources: Sources, config: GatewayConfig): unknown[] => {
  const def = leaf._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  if (def.type === 'number') return typeof current === 'number' ? [current + 1, current * 2] : [7, 1];
  if (def.type === 'boolean') return [current !== true];
  if (def.type === 'enum') return Object.values(def.entries as Record<string, string>).filter((value) => value !== current);
  if (def.type === 'array') return [[...((current as unknown[] | undefined) ?? []), 'changed']];
  if (def.type === 'string' && def.format === 'url' && typeof current === 'string') {
    const url = new URL(current);
    url.port = String(Number(url.port || 80) + 1);
    return [url.toString()];
  }
  const names = [...Object.keys(config.regions), ...Object.keys(config.credentials), ...Object.keys(sources.env), ...Object.keys(sources.files)];
  return [`${String(current ?? 'setting')}-changed`, ...names];
};

/**
 * Where an operator changes a setting: the GATEWAY_CONFIG file; or the variable that sets it (which wins over the
 * file); or, for a credential's password, the variable or file its passwordEnv or passwordFile names.
 */
const editsOf = (path: readonly string[], sources: Sources): Array<(value: unknown) => Sources> => {
  const edits: Array<(value: unknown) => Sources> = [
    (value) => {
      const next = structuredClone(sources);
      setAt(next.file, path, value);
      return next;
    },
  ];
  const variable = ENV_VARIABLES.find((v) => v.path.join('.') === path.join('.'));
  if (variable && sources.env[variable.name] !== undefined) edits.push((value) => ({ ...sources, env: { ...sources.env, [variable.name]: String(value) } }));
  if (path[0] === 'credentials' && path[2] === 'password') {
    const entry = at(sources.file, path.slice(0, 2));
    const passwordEnv = isRecord(entry) ? entry.passwordEnv : undefined;
    const passwordFile = isRecord(entry) ? entry.passwordFile : undefined;
    if (typeof passwordEnv === 'string') edits.push((value) => ({ ...sources, env: { ...sources.env, [passwordEnv]: String(value) } }));
    if (typeof passwordFile === 'string') edits.push((value) => ({ ...sources, files: { ...sources.files, [passwordFile]: String(value) } }));
  }
  return edits;
};

/** The first change of `path` alone that the loader accepts and that shows in the effective configuration. */
const changedAlone = (setting: Setting, path: readonly string[], sources: Sources, config: GatewayConfig): GatewayConfig | undefined => {
  const current = at(config, path);
  for (const edit of editsOf(path, sources)) {
    for (const value of candidatesFor(setting.leaf, current, sources, config)) {
      const next = load(edit(value));
      if (next && stringify(at(next, path)) !== stringify(current)) return next;
    }
  }
  return undefined;
};

const placements = (runtime: Runtime, projects: readonly string[]) =>
  projects.map((id) => {
    const served = runtime.resolve(id);
    return served && { region: served.region, credential: served.credential, jobBudget: served.jobBudget };
  });

/** What a replace shows of a change: the pieces it built anew, or projects placed differently. */
const seenByRequestPath = (before: GatewayConfig, after: GatewayConfig): string[] => {
  const holder = createRuntimeHolder(before, testRuntimeServices());
  try {
    const projects = [...new Set([...Object.keys(before.projects ?? {}), ...Object.keys(after.projects ?? {}), UNSERVED])];
    const placed = placements(holder.current(), projects);
    const { built } = holder.replace(after);
    const moved = stringify(placements(holder.current(), projects)) === stringify(placed) ? [] : ['project placements'];
    return [...built, ...moved];
  } finally {
    holder.close();
  }
};

describe('reloadable settings', () => {
  const sources = base();
  const config = load(sources) as GatewayConfig;
  const reloadable = settingsOf(configSchema).filter((setting) => !isRestartOnly(setting.pattern));

  it('loads the base configuration, which has an instance of every reloadable setting', () => {
    expect(config).toBeDefined();
    expect(reloadable.filter((setting) => instancesOf(setting.pattern, config).length === 0).map((s) => s.pattern)).toEqual([]);
  });

  it('each one, changed alone, builds a new piece of the runtime or places a project differently', () => {
    const unchangeable: string[] = [];
    const unseen: string[] = [];
    for (const setting of reloadable) {
      let changed = 0;
      for (const path of instancesOf(setting.pattern, config)) {
        const next = changedAlone(setting, path, sources, config);
        if (!next) continue;
        changed += 1;
        if (seenByRequestPath(config, next).length === 0) unseen.push(path.join('.'));
      }
      if (changed === 0) unchangeable.push(setting.pattern);
    }
    expect({ unchangeable, unseen }).toEqual({ unchangeable: [], unseen: [] });
    expect(reloadable.length).toBeGreaterThan(20);
  });

  it('a restart-only setting changed alone shows nowhere in the runtime, so the check above can fail', () => {
    const port = settingsOf(configSchema).find((setting) => setting.pattern === 'server.bodyLimitBytes') as Setting;
    const next = changedAlone(port, ['server', 'bodyLimitBytes'], sources, config) as GatewayConfig;
    expect(next.server.bodyLimitBytes).not.toBe(config.server.bodyLimitBytes);
    expect(seenByRequestPath(config, next)).toEqual([]);
  });
});
