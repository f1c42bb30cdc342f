// Starts a real gateway (and its embedded simulator) on port 0 from env-style settings, as production would.
import { loadConfig } from '../../src/config/loadConfig';
import { createLogger } from '../../src/logger';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/server';
import { TEST_SECRET } from './tokens';

export const startTestGateway = async (env: Record<string, string> = {}, overrides: GatewayOverrides = {}): Promise<RunningGateway> => {
  const { config } = loadConfig({
    env: { PORT: '0', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', ...env },
    readFile: () => {
      throw new Error('no files in tests');
    },
    generateSecret: () => {
      throw new Error('tests always set a key');
    },
  });
  return startGateway(config, { logger: createLogger(config.logLevel), ...overrides });
};
