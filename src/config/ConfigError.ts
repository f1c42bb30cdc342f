// Raised once at start-up with every configuration problem found, never just the first.
export interface ConfigProblem {
  /** The env variable or config-file key at fault. */
  key: string;
  /** What kind of value is expected, or why it is refused; never the value itself (it may be a secret). */
  problem: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p.key}: ${p.problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
