// The configuration `check` and `diff` judge, loaded exactly as start-up loads it (src/config/startupSources.ts, loadConfig).
import { ConfigError } from '../config/ConfigError';
import { loadConfig, type LoadedConfig } from '../config/loadConfig';
import { settingProblems, type SettingProblem } from '../config/settingProblems';
import { startupSources } from '../config/startupSources';
import { CONFIG_FILE_VARIABLE } from '../config/envVariables';
import { CliFailure } from './CliFailure';

export type LocalConfig = { valid: true; loaded: LoadedConfig } | { valid: false; problems: SettingProblem[] };

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException | null)?.code ?? 'unreadable';

/**
 * `--config FILE` stands for GATEWAY_CONFIG; everything else (NODE_ENV, every *_FILE, passwordFile, passwordEnv) comes
 * from the environment the command runs in, as it would for the gateway. A configuration file that cannot be read at
 * all is the command failing to run (exit 2), not a problem in the configuration; a secret file that cannot be read is
 * a problem of the setting naming it, as at start-up.
 */
export const loadLocalConfig = (env: Readonly<Record<string, string | undefined>>, configFile: string | undefined): LocalConfig => {
  const sources = startupSources(configFile === undefined ? env : { ...env, [CONFIG_FILE_VARIABLE]: configFile });
  const path = sources.env[CONFIG_FILE_VARIABLE];
  if (path) {
    try {
      sources.readFile(path);
    } catch (error) {
      throw new CliFailure(`cannot read the configuration file ${path} (${errorCode(error)})`);
    }
  }
  try {
    return { valid: true, loaded: loadConfig(sources) };
  } catch (error) {
    if (error instanceof ConfigError) return { valid: false, problems: settingProblems(error.problems) };
    throw error;
  }
};
