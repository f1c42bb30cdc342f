// Process entry point: load configuration, start the gateway, print the sandbox banner, stop cleanly on signals.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config/ConfigError';
import { loadConfig } from './config/loadConfig';
import { sandboxBanner, sandboxToken } from './sandbox/sandboxBanner';
import { startGateway } from './server';

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
  const gateway = await startGateway(loaded.config);
  if (loaded.generatedJwtSecret) console.log(sandboxBanner(gateway.url, sandboxToken(loaded.config)));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`${signal} received, draining`);
    gateway.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
};

main().catch((error: unknown) => {
  console.error('gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
