// Child process: the gateway from dist/, configured by its environment exactly as `npm start` would be. With
// BENCH_ACCESS_LOG set, logs go to that file through the destination production writes stdout with (bounded, counted).
import { readFileSync } from 'node:fs';
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
  const logging = distLogger();
  const sink = accessLog ? logging.boundedDestination(accessLog) : undefined;
  const gateway = await distServer().startGateway(config, sink ? { logger: logging.createLogger(config.logLevel, sink.stream), logLinesDropped: sink.droppedLines } : {});
  return {
    url: gateway.url,
    stop: async () => {
      await gateway.stop();
      if (sink) await logging.closeDestination(sink.stream, 2_000);
    },
  };
});
