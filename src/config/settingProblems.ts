// Configuration problems as admins read them (the 422 of a refused reload, lastReload, the command line): setting and message.
import type { ConfigProblem } from './ConfigError';

export interface SettingProblem {
  /** The environment variable or config-file key at fault. */
  setting: string;
  /** Why it is refused; never the value. */
  message: string;
}

export const settingProblems = (problems: readonly ConfigProblem[]): SettingProblem[] => problems.map((p) => ({ setting: p.key, message: p.problem }));
