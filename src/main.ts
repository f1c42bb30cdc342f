// Process entry point: load configuration, start the sandbox's simulators and the gateway, print the banner, close the parts and exit on signals.
// First, before any module that takes time to load: a SIGHUP must never end the process (see holdSighup).
import { ignoreSighupWhileLoading } from './holdSighup';
import { ConfigError } from './config/ConfigError';
import { ConfigHolder } from './config/ConfigHolder';
import { loadConfig } from './config/loadConfig';
import { settingProblems } from './config/settingProblems';
import { startupSources } from './config/startupSources';
import { Parts } from './lifecycle/Parts';
import { createProcessLogger, type Logger } from './logger';
import { sandboxBanner, sandboxToken } from './sandbox/sandboxBanner';
import { startSandboxSimulators } from './sandbox/startSandboxSimulators';
import { CLOSE_STEP_MS, FLUSH_MARGIN_MS, LOG_FLUSH_MS, SHUTDOWN_SLACK_MS, startGateway } from './server';

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
  process.off('SIGHUP', ignoreSighupWhileLoading);

  // The process log closes last: every other part writes to it.
  const parts = new Parts(log.logger);
  parts.add({ name: 'process log', closeWithinMs: LOG_FLUSH_MS, close: () => log.release(LOG_FLUSH_MS - FLUSH_MARGIN_MS) });
  const gateway = await (async () => {
    const simulators = await startSandboxSimulators(config);
    parts.add({ name: 'simulators', dependsOn: ['process log'], closeWithinMs: CLOSE_STEP_MS, close: () => simulators.stop() });
    return startGateway(holder, { logger: log.logger, logLinesDropped: log.droppedLines, simulatorUrls: simulators.urls });
  })().catch(async (error: unknown) => {
    await parts.close();
    throw error;
  });
  parts.add({ name: 'gateway', dependsOn: parts.names(), closeWithinMs: () => gateway.closeWithinMs() + SHUTDOWN_SLACK_MS, close: () => gateway.stop() });
  started = true;
  if (loaded.generatedJwtSecret) console.log(sandboxBanner(gateway.url, sandboxToken(config)));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal} received, draining`);
    // Every part's close is bounded, so this settles; a part cut short (named in the log) makes the exit status 1.
    void parts.close().then(({ cutShort }) => process.exit(cutShort.length === 0 ? 0 : 1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

main().catch((error: unknown) => {
  console.error('gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
