// The sandbox's embedded DRS/IAM simulators: one per region whose DRS or IAM endpoint is unset, started before the gateway.
import type { Clock } from '../clock';
import type { GatewayConfig } from '../config/schema';
import { startSimulator, type Simulator } from '../simulator/startSimulator';

export interface SandboxSimulators {
  byRegion: Readonly<Record<string, Simulator>>;
  /** What startGateway is given: each region's simulator URL. */
  urls: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Regions that need a simulator; none when every region has both endpoints (production always does). */
export const regionsWithoutEndpoints = (config: Pick<GatewayConfig, 'regions'>): string[] =>
  Object.entries(config.regions)
    .filter(([, region]) => region.drsEndpoint === undefined || region.iamEndpoint === undefined)
    .map(([name]) => name);

/** Each simulator knows every configured IAM user, as a real account would its own. */
export const startSandboxSimulators = async (config: Pick<GatewayConfig, 'regions' | 'credentials'>, clock?: Clock): Promise<SandboxSimulators> => {
  const users = Object.values(config.credentials).map((c) => ({ domain: c.domainName, name: c.userName, password: c.password }));
  const started = await Promise.allSettled(regionsWithoutEndpoints(config).map(async (name) => [name, await startSimulator({ clock, users })] as const));
  const byRegion = Object.fromEntries(started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])));
  const stop = async (): Promise<void> => void (await Promise.all(Object.values(byRegion).map((simulator) => simulator.stop())));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { byRegion, urls: Object.fromEntries(Object.entries(byRegion).map(([name, simulator]) => [name, simulator.url])), stop };
};
