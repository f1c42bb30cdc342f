// A Clock the tests move by hand, so expiry, tolerance, cache age and cooldown are exact.
import type { Clock } from '../../src/clock';

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export const manualClock = (startMs: number): ManualClock => {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms) => {
      nowMs += ms;
    },
  };
};
