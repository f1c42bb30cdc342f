// A StoreFailover for unit tests: the given stores and policy, with the log lines collected for assertions.
import type { StoreName } from '../../src/metrics/MetricsHooks';
import { StoreFailover, type StoreErrorPolicy } from '../../src/failover/StoreFailover';
import { CountingMetrics } from './CountingMetrics';

export interface LoggedLine {
  level: 'warn' | 'info';
  obj: object;
  msg: string;
}

export const testFailover = <S>(options: { local: S; shared?: S; policy: StoreErrorPolicy; store: StoreName; context?: object }) => {
  const metrics = new CountingMetrics();
  const lines: LoggedLine[] = [];
  const failover = new StoreFailover<S>({
    ...options,
    messages: { failed: 'test store failed', back: 'test store is back' },
    metrics,
    logger: {
      warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
      info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    },
  });
  return { failover, metrics, lines };
};
