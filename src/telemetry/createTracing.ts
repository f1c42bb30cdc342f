// Builds the tracing the composition root hands down, or nothing at all (no SDK loaded) when tracing is off.
import type { Tracing, TracingDeps } from './Tracing';
import { tracingEnabled, type TracingConfig } from './tracingSwitch';

const OFF: Tracing = { requests: undefined, shutdown: async () => undefined };

/**
 * The SDK, its exporters and their protobuf code (about 1.5 MB of heap) are loaded only when tracing is on, so an
 * untraced gateway's memory is what it was before tracing existed.
 */
export const createTracing = async (tracing: TracingConfig, deps: TracingDeps): Promise<Tracing> => {
  if (!tracingEnabled(tracing)) return OFF;
  const { startTracing } = await import('./startTracing');
  return startTracing(tracing, deps);
};
