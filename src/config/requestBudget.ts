// How long one request may take once its body is read, and the shutdown grace that follows from it.
import type { GatewayConfig } from './schema';

/**
 * An IAM token fetch, the DRS call, and the replay after a refused token, plus 5 s for the Redis round trips around
 * them. An idempotency claim lapses after it; a drain never ends sooner.
 */
export const longestRequestMs = (config: Pick<GatewayConfig, 'iam' | 'drs'>): number => config.iam.timeoutMs + 2 * config.drs.timeoutMs + 5_000;

/** SHUTDOWN_GRACE_MS, raised where needed so that a request already under way when the listener closes can finish. */
export const shutdownGraceMs = (config: Pick<GatewayConfig, 'iam' | 'drs' | 'server'>): number => Math.max(config.server.shutdownGraceMs, longestRequestMs(config));
