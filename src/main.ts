// Process entry point: load configuration, start the gateway, print the sandbox banner, drain and exit on signals.
import { ConfigError } from './config/ConfigError';
import { ConfigHolder } from './config/ConfigHolder';
import { loadConfig } from './config/loadConfig';
import { settingProblems } from './config/settingProblems';
import { startupSources } from './config/startupSources';
import { createProcessLogger, type Logger } from './logger';
import { sandboxBanner, sandboxToken } from './sandbox/sandboxBanner';
import { exitDeadlineMs, LOG_FLUSH_MS, startGateway } from './server';

/**
 * The one place SIGHUP lands: reload the configuration, log the outcome and every problem (problems name settings,
 * never values), and never end the process, whatever happens.
 */
const handleSighup = async (holder: ConfigHolder | undefined, logger: Logger): Promise<void> => {
  if (!holder) {
    logger.warn({ signal: 'SIGHUP' }, 'the gateway is still starting; SIGHUP ignored');
    return;
  }
  try {
    const result = await holder.reload('signal');
    if (result.ok) logger.info({ signal: 'SIGHUP', version: result.running.version }, 'configuration reloaded');
    // At error (warn is the least it may be): nobody may miss that the file on disk is not what runs. The problems in the
    // shape GET /admin/config's lastReload and the 422 of the reload route give them.
    else logger.error({ signal: 'SIGHUP', version: result.running.version, problems: settingProblems(result.problems) }, 'configuration reload refused; the running configuration stays');
  } catch (error) {
    logger.error({ signal: 'SIGHUP', reason: error instanceof Error ? error.message : String(error) }, 'configuration reload failed; the running configuration stays');
  }
};

const main = async (): Promise<void> => {
  const sources = startupSources(process.env);
  let loaded;
  try {
    loaded = loadConfig(sources);
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
  const holder = new ConfigHolder({ loaded, sources });
  // Installed before the gateway starts, so a SIGHUP during start-up cannot kill the process either; a reload then
  // would race the parts being built from the configuration, so it waits for the start.
  let started = false;
  process.on('SIGHUP', () => void handleSighup(started ? holder : undefined, log.logger));

  const gateway = await startGateway(holder, { logger: log.logger, logLinesDropped: log.droppedLines });
  started = true;
  if (loaded.generatedJwtSecret) console.log(sandboxBanner(gateway.url, sandboxToken(config)));

  const exit = (code: number): void => {
    void log.release(LOG_FLUSH_MS).finally(() => process.exit(code));
  };
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal} received, draining`);
    // Unref'd: it only fires when something the drain could not close would keep the process alive. The running
    // configuration: a reload may have changed the timeouts the grace follows (server.* is restart-only).
    setTimeout(() => {
      log.logger.error({ signal }, 'shutdown overran its deadline; exiting with connections still open');
      exit(1);
    }, exitDeadlineMs(holder.current().config)).unref();
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
