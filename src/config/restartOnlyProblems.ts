// A reload that changes a restart-only setting is refused: each such setting named, with its environment variable.
import type { ConfigProblem } from './ConfigError';
import { configChanges } from './configChanges';
import { ENV_VARIABLES } from './envVariables';

type Tree = Record<string, unknown>;

const envNameOf = (path: string): string | undefined => ENV_VARIABLES.find((v) => v.path.join('.') === path)?.name;

const restartOnlySettings = (before: unknown, after: unknown): string[] =>
  configChanges(before, after)
    .filter((change) => change.restartOnly)
    .map((change) => change.setting);

/**
 * Every restart-only setting that differs, in the effective configuration or in the file as written: a file change
 * that an environment variable overrides today would still take effect at the next start without it.
 */
export const restartOnlyProblems = (running: { config: object; file: Tree }, next: { config: object; file: Tree }): ConfigProblem[] => {
  const problems: ConfigProblem[] = [];
  const named = new Set<string>();
  for (const path of restartOnlySettings(running.config, next.config)) {
    const env = envNameOf(path);
    named.add(path);
    problems.push({ key: env ? `${path} (${env})` : path, problem: 'needs a restart; the running value stays (values are not shown)' });
  }
  for (const path of restartOnlySettings(running.file, next.file)) {
    if (named.has(path)) continue;
    const env = envNameOf(path);
    problems.push({
      key: `${path} in GATEWAY_CONFIG`,
      problem: `changed in the file and needs a restart${env ? ` (refused even where ${env} overrides it)` : ''}; the running value stays`,
    });
  }
  return problems;
};
