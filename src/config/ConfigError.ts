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
