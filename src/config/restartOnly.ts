// Settings read only when the gateway starts: a reload that changes one is refused, and a preview flags each.

/**
 * Dotted prefixes of the configuration built into long-lived parts at start: the listeners and their timeouts, the
 * Redis connection and the token-cache key, the inbound-token verifier, the app's CORS, proxy and body settings, the
 * error type base, the logger and the audit file, the progress hub, the stores' failure policy and the trace exporter.
 * Everything else is in the runtime (src/topology/createRuntimeHolder.ts) and applied by a reload: regions, credentials,
 * projects, every limiter (the IP's included), job budgets, group access, the overload thresholds (read at every
 * sample), and the DRS and IAM clients' timeouts, response cap and token refresh margin (the shutdown grace and the
 * idempotency claim's lifetime read the running timeouts when they need them).
 */
export const RESTART_ONLY_SETTINGS: readonly string[] = [
  'nodeEnv',
  'server',
  'metrics',
  'redis',
  'jwt',
  'cors',
  'logLevel',
  'auditLog',
  'errorTypeBase',
  'progress',
  'rateLimit.onStoreError',
  'tracing',
];

/** A dotted setting is restart-only when it lies under a prefix above, or holds one (a whole section added or removed). */
export const isRestartOnly = (setting: string): boolean =>
  RESTART_ONLY_SETTINGS.some((prefix) => setting === prefix || setting.startsWith(`${prefix}.`) || prefix.startsWith(`${setting}.`));
