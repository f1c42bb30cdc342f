// Child process: the gateway from dist/, configured by its environment exactly as `npm start` would be. With
// BENCH_ACCESS_LOG set, access logs go to that file through an asynchronous pino destination.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { distLoadConfig, distLogger, distServer } from '../lib/dist';
import { runChild } from '../lib/ipc';

runChild(async () => {
  const { config } = distLoadConfig().loadConfig({
    env: process.env,
    readFile: (path) => readFileSync(path, 'utf8'),
    generateSecret: () => {
      throw new Error('bench gateways verify RS256 tokens: set JWT_PUBLIC_KEY');
    },
  });
  const accessLog = process.env.BENCH_ACCESS_LOG;
  const destination = accessLog ? pino.destination({ dest: accessLog, sync: false }) : undefined;
  const logger = destination ? distLogger().createLogger(config.logLevel, destination) : undefined;
  const gateway = await distServer().startGateway(config, logger ? { logger } : {});
  return {
    url: gateway.url,
    stop: async () => {
      await gateway.stop();
      if (!destination) return;
      const closed = new Promise<void>((resolve) => destination.once('close', () => resolve()));
      destination.end();
      await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
    },
  };
});
