// How long a server may stay silent before its connection counts as dead.

/** Well above one command's timeout, so one slow reply does not cost every in-flight command; short enough for /readyz. */
export const hungAfterMs = (commandTimeoutMs: number): number => Math.max(commandTimeoutMs * 4, 1_000);
