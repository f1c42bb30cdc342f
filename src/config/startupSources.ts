// Where start-up reads its configuration: the environment, files on disk, a random sandbox secret. main.ts and `drs-gateway config check` both load through it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigSources } from './loadConfig';

export const startupSources = (env: Readonly<Record<string, string | undefined>>): ConfigSources => ({
  env,
  readFile: (path) => readFileSync(path, 'utf8'),
  generateSecret: () => randomBytes(32).toString('base64url'),
});
