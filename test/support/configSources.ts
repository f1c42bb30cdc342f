// ConfigSources over an in-memory environment and file set, and the ConfigError a load is expected to raise.
import { ConfigError } from '../../src/config/ConfigError';
import { loadConfig, type ConfigSources } from '../../src/config/loadConfig';

export const GENERATED_SECRET = 'generated-secret-generated-secret-0123456789';

/** `files` is read at every readFile call, so a test may change it between loads (a reload). */
export const sources = (env: Record<string, string>, files: Record<string, string> = {}): ConfigSources => ({
  env,
  readFile: (path) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT ${path}`);
    return text;
  },
  generateSecret: () => GENERATED_SECRET,
});

export const configErrorOf = (input: ConfigSources): ConfigError => {
  try {
    loadConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};
