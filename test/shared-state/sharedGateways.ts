// Starts N gateway instances that share one simulator (DRS + IAM) and one Redis, as behind a load balancer.
import { CountingMetrics } from '../support/CountingMetrics';
import { waitFor } from '../support/eventually';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/startSimulator';
import { startTestGateway, TEST_TOKEN_CACHE_KEY, type TestGateway } from '../support/startTestGateway';

/** How the instances reach Redis: a URL, or Cluster nodes (only the config file can say that). */
export type RedisTarget = { url: string } | { clusterNodes: Array<{ host: string; port: number }> };

export interface SharedGateways {
  simulator: Simulator;
  gateways: TestGateway[];
  /** Each instance's metrics hooks, in the order of `gateways`. */
  metrics: CountingMetrics[];
  stop(): Promise<void>;
}

export const startSharedGateways = async (
  count: number,
  redis: RedisTarget,
  env: Record<string, string> = {},
  simulatorOptions: SimulatorOptions = {},
  /** Settings only the config file can hold (rate-limit tiers), merged into GATEWAY_CONFIG. */
  fileSettings: Record<string, unknown> = {},
): Promise<SharedGateways> => {
  const simulator = await startSimulator(simulatorOptions);
  const baseEnv = { DRS_ENDPOINT: simulator.url, IAM_ENDPOINT: simulator.url, TOKEN_CACHE_KEY: TEST_TOKEN_CACHE_KEY, ...env };
  const file = { ...fileSettings, ...('clusterNodes' in redis ? { redis: { cluster: { nodes: redis.clusterNodes } } } : {}) };
  const configFile = Object.keys(file).length > 0 ? JSON.stringify(file) : undefined;
  const redisEnv: Record<string, string> = 'url' in redis ? { REDIS_URL: redis.url } : {};
  const metrics = Array.from({ length: count }, () => new CountingMetrics());
  const gateways = await Promise.all(metrics.map((m) => startTestGateway({ ...baseEnv, ...redisEnv }, { metrics: m }, configFile)));
  await Promise.all(gateways.map((g) => waitFor(() => g.redis?.status() === 'up', 5_000)));
  return {
    simulator,
    gateways,
    metrics,
    async stop() {
      await Promise.all(gateways.map((g) => g.stop()));
      await simulator.stop();
    },
  };
};
