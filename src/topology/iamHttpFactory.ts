// One HTTP client per IAM endpoint, shared by every credential that signs in there.
import type { GatewayConfig } from '../config/schema';
import { createHttpClient, type HttpClient } from '../outbound/createHttpClient';
import type { PieceFactory } from './Pool';
import { regionEndpoint } from './regionEndpoint';
import type { RuntimeServices } from './Runtime';

/** A token answer is small; anything far larger is not IAM's. */
const IAM_RESPONSE_CAP_BYTES = 256 * 1024;

export interface IamHttpSlice {
  endpoint: string;
  timeoutMs: number;
}

/** Also part of the slices of the pieces that use the client (sign-ins, token lines), so they change with it. */
export const iamHttpSlice = (services: Pick<RuntimeServices, 'simulatorUrls'>, config: GatewayConfig, region: string): IamHttpSlice => ({
  endpoint: regionEndpoint(services.simulatorUrls, region, config.regions[region]?.iamEndpoint),
  timeoutMs: config.iam.timeoutMs,
});

export const iamHttpFactory = (services: RuntimeServices) => ({
  name: 'iam-http',
  select: (config: GatewayConfig, region: string): IamHttpSlice => iamHttpSlice(services, config, region),
  build: ({ endpoint, timeoutMs }: IamHttpSlice) => {
    const http = createHttpClient({ baseURL: endpoint, timeoutMs, maxResponseBytes: IAM_RESPONSE_CAP_BYTES, userAgent: services.userAgent });
    return { value: http, close: () => http.close() };
  },
}) satisfies PieceFactory<GatewayConfig, [region: string], IamHttpSlice, HttpClient>;
