// The `drs-gateway` command line: parses the arguments, runs the command, and turns every failure to run into exit status 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkCommand } from './checkCommand';
import { CliFailure } from './CliFailure';
import type { CliIo } from './CliIo';
import { diffCommand } from './diffCommand';
import { exitStatus } from './exitStatus';

const USAGE = `Usage:
  drs-gateway config check [--config FILE] [--json]
  drs-gateway config diff --against URL [--config FILE] [--token-file FILE] [--json]

  --config FILE      the configuration file (default: GATEWAY_CONFIG); every other setting comes from the environment
  --against URL      the running gateway, e.g. http://127.0.0.1:8080 (its GET /admin/config is read)
  --token-file FILE  a bearer token with scope gateway:admin:read or gateway:admin (default: GATEWAY_ADMIN_TOKEN)
  --json             one JSON object on stdout

Exit status:
  check  0 valid, 1 problems, 2 could not run
  diff   0 no change, 1 reloadable changes only, 3 a restart-only setting changes, 4 problems in the file,
         2 could not run (usage, unreadable file, unreachable gateway, refused token)
`;

const HELP = '(drs-gateway --help shows the usage)';

const CHECK_OPTIONS = { config: { type: 'string' }, json: { type: 'boolean' } } as const;
const DIFF_OPTIONS = { ...CHECK_OPTIONS, against: { type: 'string' }, 'token-file': { type: 'string' } } as const;

/** parseArgs names the option at fault in its message, never an option's value. */
const parse = <T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) => {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliFailure(`${(error as Error).message} ${HELP}`);
  }
};

const run = async (args: readonly string[], io: CliIo): Promise<number> => {
  const [group, command, ...rest] = args;
  if (group === '--help' || group === '-h' || (group === 'config' && (command === '--help' || command === '-h'))) {
    io.out(USAGE);
    return exitStatus.ok;
  }
  if (group === 'config' && command === 'check') {
    const values = parse(rest, CHECK_OPTIONS);
    return checkCommand({ config: values.config, json: values.json ?? false }, io);
  }
  if (group === 'config' && command === 'diff') {
    const values = parse(rest, DIFF_OPTIONS);
    if (values.against === undefined) throw new CliFailure(`config diff needs --against URL ${HELP}`);
    return diffCommand({ against: values.against, config: values.config, tokenFile: values['token-file'], json: values.json ?? false }, io);
  }
  throw new CliFailure(`unknown command ${HELP}`);
};

/** Resolves with the exit status; why a command could not run goes to `io.err`. */
export const runCli = async (args: readonly string[], io: CliIo): Promise<number> => {
  try {
    return await run(args, io);
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    io.err(`drs-gateway: ${error.message}\n`);
    return exitStatus.couldNotRun;
  }
};
