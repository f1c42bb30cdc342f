// The runtime holder's services for unit tests: memory stores, a silent logger, counted metrics, no embedded simulator.
import { systemClock } from '../../src/clock';
import { createLogger } from '../../src/logger';
import { createStores } from '../../src/stores/createStores';
import type { RuntimeServices } from '../../src/topology/Runtime';
import { CountingMetrics } from './CountingMetrics';

export const testRuntimeServices = (): RuntimeServices => {
  const metrics = new CountingMetrics();
  const logger = createLogger('silent');
  return {
    clock: systemClock,
    logger,
    metrics,
    stores: createStores({ onStoreError: 'local', clock: systemClock, metrics, logger }),
    simulatorUrls: new Map(),
    userAgent: 'test',
    circuit: { failureThreshold: 5, openMs: 10_000 },
  };
};
