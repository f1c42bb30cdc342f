// Starts a real gateway on port 0 from env-style settings, and before it, as main.ts does, a simulator per region without endpoints.
import { ConfigHolder } from '../../src/config/ConfigHolder';
import { loadConfig, type ConfigSources } from '../../src/config/loadConfig';
import type { GatewayConfig } from '../../src/config/schema';
import { createLogger } from '../../src/logger';
import { startSandboxSimulators } from '../../src/sandbox/startSandboxSimulators';
import { startGateway, type GatewayOverrides, type RunningGateway } from '../../src/server';
import type { Simulator } from '../../src/simulator/startSimulator';
import { TEST_SECRET } from './tokens';

export const TEST_TOKEN_CACHE_KEY = Buffer.alloc(32, 42).toString('base64');

/**
 * No overload shedding unless a test asks for it: a test gateway shares its process with jest (a heap of hundreds of
 * MiB) and with whatever the test does synchronously, so the production thresholds would shed at random.
 */
const NO_SHEDDING = { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0', OVERLOAD_MAX_HEAP_USED_MB: '0' };

/** The test defaults under `env`; `files` is read at every call, so a test may rewrite it before a reload. */
const testSources = (env: Record<string, string>, files: Record<string, string>): ConfigSources => ({
  env: { PORT: '0', JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', ...NO_SHEDDING, ...env },
  readFile: (path) => {
    const text = files[path];
    if (text === undefined) throw new Error(`no file ${path} in tests`);
    return text;
  },
  generateSecret: () => {
    throw new Error('tests always set a key');
  },
});

/** The effective configuration a test gateway gets, for tests that then set §9 fields (regions, projects, tiers) directly. */
export const testConfig = (env: Record<string, string> = {}, configFile?: string): GatewayConfig =>
  loadConfig(testSources({ ...(configFile ? { GATEWAY_CONFIG: 'test-config.yaml' } : {}), ...env }, configFile === undefined ? {} : { 'test-config.yaml': configFile })).config;

export interface TestGateway extends RunningGateway {
  /** The embedded simulator of region `default`, else the first one started; unset when every region has endpoints. */
  simulator?: Simulator;
  /** One embedded simulator per region whose DRS or IAM endpoint is unset. */
  simulators: Readonly<Record<string, Simulator>>;
}

/** stop() stops the gateway, then its simulators. */
const withSimulators = async (config: GatewayConfig, clock: GatewayOverrides['clock'], start: (simulatorUrls: Readonly<Record<string, string>>) => Promise<RunningGateway>): Promise<TestGateway> => {
  const simulators = await startSandboxSimulators(config, clock);
  let gateway: RunningGateway;
  try {
    gateway = await start(simulators.urls);
  } catch (error) {
    await simulators.stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    ...gateway,
    simulator: simulators.byRegion.default ?? Object.values(simulators.byRegion)[0],
    simulators: simulators.byRegion,
    stop() {
      stopping ??= gateway.stop().finally(() => simulators.stop());
      return stopping;
    },
  };
};

export const startConfiguredGateway = (config: GatewayConfig, overrides: GatewayOverrides = {}): Promise<TestGateway> =>
  withSimulators(config, overrides.clock, (simulatorUrls) => startGateway(config, { logger: createLogger(config.logLevel), simulatorUrls, ...overrides }));

/** `configFile` is served as the GATEWAY_CONFIG file (YAML or JSON), for settings env cannot express (Cluster). */
export const startTestGateway = async (env: Record<string, string> = {}, overrides: GatewayOverrides = {}, configFile?: string): Promise<TestGateway> =>
  startConfiguredGateway(testConfig(env, configFile), overrides);

/** A gateway whose reloads (SIGHUP's and POST /admin/config/reload's) read `files` again, as main.ts's read the disk. */
export const startReloadableGateway = async (env: Record<string, string>, files: Record<string, string>, overrides: GatewayOverrides = {}): Promise<TestGateway> => {
  const input = testSources(env, files);
  const loaded = loadConfig(input);
  return withSimulators(loaded.config, overrides.clock, (simulatorUrls) =>
    startGateway(new ConfigHolder({ loaded, sources: input }), { logger: createLogger(loaded.config.logLevel), simulatorUrls, ...overrides }),
  );
};
