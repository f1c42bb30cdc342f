// The effective configuration as GET /admin/config shows it: every secret replaced, URLs without credentials or query values.
import type { UnknownRecord } from '../isRecord';
import { redactRedisUrl } from '../redis/redactRedisUrl';
import { ENV_VARIABLES } from './envVariables';
import type { GatewayConfig } from './schema';

const REDACTED = '[redacted]';

const redactAt = (tree: UnknownRecord, path: readonly string[]): void => {
  const parent = path.slice(0, -1).reduce<UnknownRecord | undefined>((node, key) => node?.[key] as UnknownRecord | undefined, tree);
  const leaf = path[path.length - 1] as string;
  if (parent && parent[leaf] !== undefined) parent[leaf] = REDACTED;
};

/** Scheme, host, port and path: user info never leaves, query values neither (loadConfig refuses both where it can). */
const redactEndpoint = (url: string): string => {
  if (!URL.canParse(url)) return REDACTED;
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search === '' ? '' : `?${REDACTED}`}`;
};

export const redactConfig = (config: GatewayConfig): UnknownRecord => {
  const copy = structuredClone(config) as unknown as UnknownRecord;
  for (const variable of ENV_VARIABLES) if (variable.secret) redactAt(copy, variable.path);
  for (const path of [['redis', 'sentinel', 'password'], ['redis', 'sentinel', 'sentinelPassword'], ['redis', 'cluster', 'password']]) redactAt(copy, path);
  // The URL shape (host, port, TLS) is worth showing; only its credentials are secret.
  if (config.redis.url !== undefined) (copy.redis as UnknownRecord).url = redactRedisUrl(config.redis.url);
  if (config.drs.endpoint !== undefined) (copy.drs as UnknownRecord).endpoint = redactEndpoint(config.drs.endpoint);
  if (config.iam.endpoint !== undefined) (copy.iam as UnknownRecord).endpoint = redactEndpoint(config.iam.endpoint);
  if (config.jwt.jwksUri !== undefined) (copy.jwt as UnknownRecord).jwksUri = redactEndpoint(config.jwt.jwksUri);
  for (const key of ['endpoint', 'tracesEndpoint'] as const) {
    const url = config.tracing[key];
    if (url !== undefined) (copy.tracing as UnknownRecord)[key] = redactEndpoint(url);
  }
  for (const credential of Object.values(copy.credentials as Record<string, UnknownRecord>)) credential.password = REDACTED;
  for (const region of Object.values(copy.regions as Record<string, UnknownRecord>)) {
    for (const key of ['drsEndpoint', 'iamEndpoint']) if (typeof region[key] === 'string') region[key] = redactEndpoint(region[key]);
  }
  return copy;
};
