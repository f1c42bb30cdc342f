// The one RATE_LIMIT_ON_STORE_ERROR decision, for every store that can lose Redis: local memory, open, or closed (503).
import { GatewayError } from '../errors/GatewayError';

export type StoreErrorPolicy = 'local' | 'open' | 'closed';

const CLOSED_RETRY_AFTER_S = 5;

export const afterStoreError = async <T>(policy: StoreErrorPolicy, useLocal: () => Promise<T>, passOpen: () => T): Promise<T> => {
  if (policy === 'local') return useLocal();
  if (policy === 'open') return passOpen();
  throw new GatewayError('GW.5030', { retryAfterSeconds: CLOSED_RETRY_AFTER_S });
};
