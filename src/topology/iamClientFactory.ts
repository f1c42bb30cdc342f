// A credential's IAM sign-in in one region: the password exchange over that region's IAM HTTP client.
import type { GatewayConfig } from '../config/schema';
import { createIamClient } from '../iam/createIamClient';
import type { IamTokenFetcher } from '../iam/IamToken';
import type { HttpClient } from '../outbound/createHttpClient';
import type { PieceFactory, Pool } from './Pool';
import { iamHttpSlice, type IamHttpSlice } from './iamHttpFactory';
import type { RuntimeServices } from './Runtime';

export interface IamClientSlice {
  http: IamHttpSlice;
  region: string;
  domainName: string;
  userName: string;
  password: string;
}

export const iamClientFactory = (services: RuntimeServices, iamHttp: Pool<GatewayConfig, [region: string], IamHttpSlice, HttpClient>) => ({
  name: 'iam-client',
  select: (config: GatewayConfig, region: string, credential: string): IamClientSlice => {
    const { domainName, userName, password } = config.credentials[credential] as GatewayConfig['credentials'][string];
    return { http: iamHttpSlice(services, config, region), region, domainName, userName, password };
  },
  build: ({ http, region, domainName, userName, password }: IamClientSlice) => ({
    value: createIamClient({ http: iamHttp.takeSlice(http), domainName, userName, password, region, clock: services.clock, logger: services.logger }),
    close: () => undefined,
  }),
}) satisfies PieceFactory<GatewayConfig, [region: string, credential: string], IamClientSlice, IamTokenFetcher>;
