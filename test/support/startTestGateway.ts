// Starts a real gateway (and, unless endpoints are given, its embedded simulator) on port 0 from env-style settings.
import { loadConfig } from '../../src/config/loadConfig';
import type { GatewayConfig } from '../../src/config/schema';
import { createLogger } from '../../src/logger';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/server';
import { TEST_SECRET } from './tokens';

export const TEST_TOKEN_CACHE_KEY = Buffer.alloc(32, 42).toString('base64');

/** The effective configuration a test gateway gets, for tests that then set §9 fields (regions, projects, tiers) directly. */
export const testConfig = (env: Record<string, string> = {}, configFile?: string): GatewayConfig =>
  loadConfig({
    env: { PORT: '0', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', ...(configFile ? { GATEWAY_CONFIG: 'test-config.yaml' } : {}), ...env },
    readFile: (path) => {
      if (configFile !== undefined && path === 'test-config.yaml') return configFile;
      throw new Error(`no file ${path} in tests`);
    },
    generateSecret: () => {
      throw new Error('tests always set a key');
    },
  }).config;

export const startConfiguredGateway = (config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<RunningGateway> =>
  startGateway(config, { logger: createLogger(config.logLevel), ...overrides });

/** `configFile` is served as the GATEWAY_CONFIG file (YAML or JSON), for settings env cannot express (Cluster). */
export const startTestGateway = async (env: Record<string, string> = {}, overrides: GatewayOverrides = {}, configFile?: string): Promise<RunningGateway> =>
  startConfiguredGateway(testConfig(env, configFile), overrides);
