// Settings read only when the gateway starts: a reload that changes one is refused, naming each.
import stringify from 'safe-stable-stringify';
import { isRecord, type UnknownRecord } from '../isRecord';
import type { ConfigProblem } from './ConfigError';
import { ENV_VARIABLES } from './envVariables';

/**
 * Dotted prefixes of the configuration built into long-lived parts at start: the listeners and their timeouts, the
 * Redis connection and the token-cache key, the inbound-token verifier, the app's CORS, proxy and body settings, the
 * error type base, the logger and the audit file, the progress hub, the stores' failure policy and the trace exporter. Everything else is in the runtime
 * (src/topology/createRuntimeHolder.ts) and applied by a reload: regions, credentials, projects, every limiter (the IP's
 * included), job budgets, group access, and the DRS and IAM clients' timeouts, response cap and token refresh margin
 * (the shutdown grace and the idempotency claim's lifetime read the running timeouts when they need them).
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

const at = (tree: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), tree);

/** Dotted paths of the leaves that differ between two values (a list is one leaf). */
const changedLeaves = (path: string, before: unknown, after: unknown): string[] => {
  if (isRecord(before) || isRecord(after)) {
    const b = isRecord(before) ? before : {};
    const a = isRecord(after) ? after : {};
    return [...new Set([...Object.keys(b), ...Object.keys(a)])].sort().flatMap((key) => changedLeaves(`${path}.${key}`, b[key], a[key]));
  }
  return stringify(before) === stringify(after) ? [] : [path];
};

const envNameOf = (path: string): string | undefined => ENV_VARIABLES.find((v) => v.path.join('.') === path)?.name;

/**
 * Every restart-only setting that differs, in the effective configuration or in the file as written: a file change
 * that an environment variable overrides today would still take effect at the next start without it.
 */
export const restartOnlyProblems = (running: { config: object; file: UnknownRecord }, next: { config: object; file: UnknownRecord }): ConfigProblem[] => {
  const problems: ConfigProblem[] = [];
  const named = new Set<string>();
  for (const prefix of RESTART_ONLY_SETTINGS) {
    for (const path of changedLeaves(prefix, at(running.config, prefix), at(next.config, prefix))) {
      const env = envNameOf(path);
      named.add(path);
      problems.push({ key: env ? `${path} (${env})` : path, problem: 'needs a restart; the running value stays (values are not shown)' });
    }
  }
  for (const prefix of RESTART_ONLY_SETTINGS) {
    for (const path of changedLeaves(prefix, at(running.file, prefix), at(next.file, prefix))) {
      if (named.has(path)) continue;
      const env = envNameOf(path);
      problems.push({
        key: `${path} in GATEWAY_CONFIG`,
        problem: `changed in the file and needs a restart${env ? ` (refused even where ${env} overrides it)` : ''}; the running value stays`,
      });
    }
  }
  return problems;
};
