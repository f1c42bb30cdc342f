// `drs-gateway config diff`: the local configuration against what a running gateway shows, setting by setting.
import { readFileSync } from 'node:fs';
import { configChanges, type ConfigChange } from '../config/configChanges';
import { configHash } from '../config/configVersion';
import { redactConfig } from '../config/redactConfig';
import { adminConfigUrl } from './adminConfigUrl';
import { CliFailure } from './CliFailure';
import type { CliIo } from './CliIo';
import { exitStatus } from './exitStatus';
import { fetchRunningConfig } from './fetchRunningConfig';
import { loadLocalConfig } from './loadLocalConfig';
import { reportCheck } from './reportCheck';

export interface DiffOptions {
  against: string;
  config?: string;
  tokenFile?: string;
  json: boolean;
}

/** The variable `diff` reads its bearer token from when no --token-file is given. */
const ADMIN_TOKEN_VARIABLE = 'GATEWAY_ADMIN_TOKEN';

const adminToken = (tokenFile: string | undefined, env: CliIo['env']): string => {
  if (tokenFile === undefined) {
    const token = env[ADMIN_TOKEN_VARIABLE]?.trim();
    if (!token) throw new CliFailure(`no admin token: give --token-file FILE or set ${ADMIN_TOKEN_VARIABLE}`);
    return token;
  }
  let text: string;
  try {
    text = readFileSync(tokenFile, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read the token file ${tokenFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const token = text.trim();
  if (token === '') throw new CliFailure(`the token file ${tokenFile} is empty`);
  return token;
};

const statusOf = (changes: readonly ConfigChange[]): number =>
  changes.some((c) => c.restartOnly) ? exitStatus.restartNeeded : changes.length > 0 ? exitStatus.problemsOrChanges : exitStatus.ok;

const describe = (changes: readonly ConfigChange[], running: { hash: string; loadedAt: string }): string => {
  if (changes.length === 0) return `no change: the running configuration (version ${running.hash}, loaded ${running.loadedAt}) is this one\n`;
  const width = Math.max(...changes.map((c) => c.setting.length));
  const restart = changes.filter((c) => c.restartOnly).length;
  const lines = changes.map((c) => `  ${c.change.padEnd(7)}  ${c.setting.padEnd(width)}  ${c.restartOnly ? 'restart-only' : 'reloadable'}\n`);
  const verdict =
    restart > 0 ? `${restart === 1 && changes.length === 1 ? 'it needs' : `${restart} of them need${restart === 1 ? 's' : ''}`} a restart: a reload would be refused` : `a reload applies ${changes.length === 1 ? 'it' : 'them'}`;
  return `${changes.length} setting${changes.length === 1 ? '' : 's'} differ${changes.length === 1 ? 's' : ''} from the running configuration (version ${running.hash}, loaded ${running.loadedAt}):\n${lines.join('')}${verdict}\n`;
};

/**
 * Both sides as GET /admin/config shows them (secrets redacted), through the one differ the dry run also uses: a
 * changed passwordFile or passwordEnv reference is a change, a rotated secret behind the same reference is not visible.
 */
export const diffCommand = async (options: DiffOptions, io: CliIo): Promise<number> => {
  const url = adminConfigUrl(options.against);
  const token = adminToken(options.tokenFile, io.env);
  const local = loadLocalConfig(io.env, options.config);
  if (!local.valid) {
    reportCheck(local, options.json, io);
    return exitStatus.invalidLocal;
  }
  const running = await fetchRunningConfig(url, token);
  const changes = configChanges(running.settings, redactConfig(local.loaded.config));
  if (options.json) {
    io.out(`${JSON.stringify({ valid: true, problems: [], version: { hash: configHash(local.loaded.config) }, running: { version: running.version }, changes })}\n`);
  } else {
    io.out(describe(changes, running.version));
  }
  return statusOf(changes);
};
