// The running configuration's version: a hash of its non-secret settings, and when it was loaded.
import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import { redactConfig } from './redactConfig';
import type { GatewayConfig } from './schema';

export interface ConfigVersion {
  /** sha256 (hex) of the canonical JSON of what /admin/config shows: secrets are in it only as "[redacted]". */
  hash: string;
  /** ISO 8601; new on every successful load, even when the hash stays. */
  loadedAt: string;
}

/**
 * Hashing the redacted view means no secret can be guessed through the hash, and a rotated password (same file, new
 * contents) keeps the hash: the hash says which settings run, not which secrets.
 */
export const configHash = (config: GatewayConfig): string => createHash('sha256').update(stringify(redactConfig(config))).digest('hex');

export const configVersion = (config: GatewayConfig, loadedAtMs: number): ConfigVersion => ({ hash: configHash(config), loadedAt: new Date(loadedAtMs).toISOString() });
