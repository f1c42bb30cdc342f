// knownEnvironmentNames: the variables the loader reads by name, derived from the env table, each one shown to be read.
import { ConfigError } from '../../src/config/ConfigError';
import { CONFIG_FILE_VARIABLE, ENV_VARIABLES, fileVariableOf, knownEnvironmentNames } from '../../src/config/envVariables';
import { loadConfig } from '../../src/config/loadConfig';
import { GENERATED_SECRET } from '../support/configSources';

const PROBE = '/probe/value';

/** What a load with only `name` set does: the files it reads, the problems it names, and the configuration (or none). */
const loadWith = (env: Record<string, string>) => {
  const read: string[] = [];
  const sources = {
    env,
    readFile: (path: string) => {
      read.push(path);
      throw new Error(`ENOENT ${path}`);
    },
    generateSecret: () => GENERATED_SECRET,
  };
  try {
    return { read, problems: [] as string[], config: JSON.stringify(loadConfig(sources).config) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { read, problems: error.problems.map((p) => p.key), config: undefined };
  }
};

const baseline = loadWith({}).config;

/** True when setting the variable alone makes the loader read a file, report it, or build another configuration. */
const isRead = (name: string): boolean => {
  const { read, problems, config } = loadWith({ [name]: PROBE });
  return read.includes(PROBE) || problems.includes(name) || (config !== undefined && config !== baseline);
};

describe('knownEnvironmentNames', () => {
  const names = knownEnvironmentNames();

  it('names every variable of the env table, NAME_FILE for each secret and for no other, and GATEWAY_CONFIG', () => {
    for (const variable of ENV_VARIABLES) {
      expect(names).toContain(variable.name);
      expect({ name: variable.name, file: names.includes(fileVariableOf(variable.name)) }).toEqual({ name: variable.name, file: variable.secret === true });
    }
    expect(names).toContain(CONFIG_FILE_VARIABLE);
    expect(new Set(names).size).toBe(names.length);
  });

  it('names only variables the loader reads: each, set alone, reads a file, is reported or changes the configuration', () => {
    expect(baseline).toBeDefined();
    expect(names.filter((name) => !isRead(name))).toEqual([]);
  });

  it('tells a variable the loader ignores', () => {
    expect(isRead('REDIS_HOST')).toBe(false);
    expect(isRead('GATEWAY_CONFIG_FILE')).toBe(false);
  });
});
