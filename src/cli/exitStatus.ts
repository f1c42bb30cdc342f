// The command line's exit statuses, which CI scripts branch on.
export const exitStatus = {
  ok: 0,
  /** check: the configuration has problems. diff: reloadable changes only. */
  problemsOrChanges: 1,
  couldNotRun: 2,
  /** diff: a restart-only setting changes. */
  restartNeeded: 3,
  /** diff: the local configuration has problems. */
  invalidLocal: 4,
} as const;
