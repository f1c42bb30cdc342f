// Process entry point: load configuration, start the gateway, print the sandbox banner, drain and exit on signals.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config/ConfigError';
import { loadConfig } from './config/loadConfig';
import { shutdownGraceMs } from './config/requestBudget';
import { createProcessLogger, type Logger } from './logger';
import { sandboxBanner, sandboxToken } from './sandbox/sandboxBanner';
import { CLOSE_STEP_MS, startGateway } from './server';

/** What the log destination may take to write its last lines before the process exits anyway. */
const LOG_FLUSH_MS = 1_000;
/** Past delay + grace + the close steps, the process exits whatever is still open. */
const EXIT_SLACK_MS = 2 * CLOSE_STEP_MS + LOG_FLUSH_MS + 1_000;

/** The one place SIGHUP lands; reloading the configuration will replace this body. */
const handleSighup = (logger: Logger): void => {
  logger.warn({ signal: 'SIGHUP' }, 'configuration reload is not supported yet; SIGHUP ignored');
};

const main = async (): Promise<void> => {
  let loaded;
  try {
    loaded = loadConfig({
      env: process.env,
      readFile: (path) => readFileSync(path, 'utf8'),
      generateSecret: () => randomBytes(32).toString('base64url'),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const { config } = loaded;
  const log = createProcessLogger(config.logLevel);
  // A reader that went away must not turn a console line into an uncaught EPIPE in the middle of a drain.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // Installed before the gateway starts, so a SIGHUP during start-up cannot kill the process either.
  process.on('SIGHUP', () => handleSighup(log.logger));

  const gateway = await startGateway(config, { logger: log.logger });
  if (loaded.generatedJwtSecret) console.log(sandboxBanner(gateway.url, sandboxToken(config)));

  const exit = (code: number): void => {
    void log.release(LOG_FLUSH_MS).finally(() => process.exit(code));
  };
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal} received, draining`);
    // Unref'd: it only fires when something the drain could not close would keep the process alive.
    setTimeout(() => {
      log.logger.error({ signal }, 'shutdown overran its deadline; exiting with connections still open');
      exit(1);
    }, config.server.shutdownDelayMs + shutdownGraceMs(config) + EXIT_SLACK_MS).unref();
    gateway.stop().then(
      () => exit(0),
      (error: unknown) => {
        log.logger.error({ reason: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

main().catch((error: unknown) => {
  console.error('gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
