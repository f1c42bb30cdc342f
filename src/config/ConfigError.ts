// Raised once at start-up (or by a reload) with every configuration problem found, never just the first.
export interface ConfigProblem {
  /** The env variable or config-file key at fault. */
  key: string;
  /** What kind of value is expected, or why it is refused; never the value itself (it may be a secret). */
  problem: string;
}

export class ConfigError extends Error {
  /** `fileSettings`: the GATEWAY_CONFIG file as read, when it could be; a refused reload still compares it with the running file. */
  constructor(
    readonly problems: readonly ConfigProblem[],
    readonly fileSettings?: Readonly<Record<string, unknown>>,
  ) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p.key}: ${p.problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Setting names, entry names and project IDs are made of these. */
const NAME_PREFIX = /^[A-Za-z0-9._-]{0,64}/;

/**
 * A path into the configuration as a problem names it: each key up to its first character that no name has. A mangled
 * line (`{ password hunter2 }`) makes the parser read a value into a key, and that key must not show it.
 */
export const settingPath = (path: readonly PropertyKey[]): string =>
  path
    .map((segment) => {
      const key = String(segment);
      const shown = NAME_PREFIX.exec(key)?.[0] ?? '';
      return shown === key ? key : `${shown}…`;
    })
    .join('.');
