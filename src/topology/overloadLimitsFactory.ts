// The overload monitor's thresholds as a runtime piece, so a reload that changes them is one the request path sees.
import type { GatewayConfig } from '../config/schema';
import type { OverloadLimits } from '../overload/OverloadMonitor';
import type { PieceFactory } from './Pool';

export const overloadLimitsFactory = () =>
  ({
    name: 'overload-limits',
    select: (config: GatewayConfig): OverloadLimits => ({ maxEventLoopDelayMs: config.overload.maxEventLoopDelayMs, maxHeapUsedMb: config.overload.maxHeapUsedMb }),
    build: (limits: OverloadLimits) => ({ value: limits, close: () => undefined }),
  }) satisfies PieceFactory<GatewayConfig, [], OverloadLimits, OverloadLimits>;
