// A (credential, region) pair's IAM tokens: the memory cache, the shared Redis level, and the IAM state /readyz reports.
import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../config/schema';
import { createSharedTokenFetcher } from '../iam/createSharedTokenFetcher';
import type { IamTokenFetcher } from '../iam/IamToken';
import { IamTokenCache } from '../iam/IamTokenCache';
import { iamHttpSlice, type IamHttpSlice } from './iamHttpFactory';
import type { PieceFactory } from './Pool';
import type { DependencyState, RuntimeServices } from './Runtime';

export interface TokenLine {
  cache: IamTokenCache;
  state: DependencyState;
  /**
   * The sign-in the cache fetches through. The holder sets it, and swaps it when the password changes, only once a
   * build has succeeded: a rotated password is used at the next fetch while the cached tokens stay.
   */
  iam?: IamTokenFetcher;
}

/** The password is not here: it shapes the sign-in (iamClientFactory), not the tokens already issued. */
export interface TokenLineSlice {
  /** The endpoint whose tokens these are, and the IAM timeout the shared fetch lock outlives. */
  http: IamHttpSlice;
  region: string;
  domainName: string;
  userName: string;
  refreshMarginMs: number;
}

export const tokenLineFactory = (services: RuntimeServices) => ({
  name: 'token-line',
  select: (config: GatewayConfig, region: string, credential: string): TokenLineSlice => {
    const { domainName, userName } = config.credentials[credential] as GatewayConfig['credentials'][string];
    return { http: iamHttpSlice(services, config, region), region, domainName, userName, refreshMarginMs: config.iam.refreshMarginMs };
  },
  build: ({ http, region, domainName, userName, refreshMarginMs }: TokenLineSlice) => {
    const { clock, logger, metrics, stores } = services;
    const line: Omit<TokenLine, 'cache'> = { state: 'unknown' };
    const observed: IamTokenFetcher = {
      async fetchToken(projectId, parent) {
        if (line.iam === undefined) throw new Error('a token line is published only once its sign-in is set');
        const started = performance.now();
        try {
          const token = await line.iam.fetchToken(projectId, parent);
          metrics.iamFetch('ok', region, (performance.now() - started) / 1000);
          line.state = 'up';
          return token;
        } catch (error) {
          metrics.iamFetch('error', region, (performance.now() - started) / 1000);
          // IAM refusing the credentials still proves IAM is reachable.
          line.state = (error as { code?: string }).code === 'GW.3001' ? 'up' : 'down';
          throw error;
        }
      },
    };
    const sharedStore = stores.tokens({ domainName, userName });
    const shared = sharedStore
      ? createSharedTokenFetcher({ store: sharedStore, iam: observed, clock, refreshMarginMs, lockTtlMs: http.timeoutMs + 1_000, metrics, logger })
      : undefined;
    const cache = new IamTokenCache({ fetcher: shared ?? observed, shared, clock, refreshMarginMs, logger, metrics, region });
    return { value: Object.assign(line, { cache }), close: () => undefined };
  },
}) satisfies PieceFactory<GatewayConfig, [region: string, credential: string], TokenLineSlice, TokenLine>;
