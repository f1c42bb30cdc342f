// A region's DRS side: its HTTP client and its circuit breaker, shared by every project served there.
import type { GatewayConfig } from '../config/schema';
import { createHttpClient, type HttpClient } from '../outbound/createHttpClient';
import { createRegionBreaker, type RegionBreaker } from '../upstream/createRegionBreaker';
import type { PieceFactory } from './Pool';
import { regionEndpoint } from './regionEndpoint';
import type { RuntimeServices } from './Runtime';

export interface DrsRegion {
  name: string;
  http: HttpClient;
  breaker: RegionBreaker;
}

export interface DrsRegionSlice {
  region: string;
  endpoint: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

export const drsRegionFactory = (services: RuntimeServices) => ({
  name: 'drs-region',
  select: (config: GatewayConfig, region: string): DrsRegionSlice => ({
    region,
    endpoint: regionEndpoint(services.simulatorUrls, region, config.regions[region]?.drsEndpoint),
    timeoutMs: config.drs.timeoutMs,
    maxResponseBytes: config.drs.maxResponseBytes,
  }),
  build: ({ region, endpoint, timeoutMs, maxResponseBytes }: DrsRegionSlice) => {
    const http = createHttpClient({ baseURL: endpoint, timeoutMs, maxResponseBytes, userAgent: services.userAgent });
    const breaker = createRegionBreaker({
      clock: services.clock,
      ...services.circuit,
      onStateChange: (state) => services.logger.warn({ region, circuit: state }, 'DRS circuit state changed'),
    });
    return { value: { name: region, http, breaker }, close: () => (http.close(), breaker.dispose()) };
  },
}) satisfies PieceFactory<GatewayConfig, [region: string], DrsRegionSlice, DrsRegion>;
