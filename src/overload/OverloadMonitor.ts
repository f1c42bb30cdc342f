// Overload protection: event-loop delay and heap, read on a timer, set the one flag the request path reads to shed.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Clock } from '../clock';

export const OVERLOAD_REASONS = ['event-loop-delay', 'heap-used'] as const;
export type OverloadReason = (typeof OVERLOAD_REASONS)[number];

/** What each sample reads: the process's own figures in production, the test's in tests. */
export interface OverloadReadings {
  /** Mean event-loop delay since the previous call, in milliseconds. */
  eventLoopDelayMs(): number;
  /** V8 heap in use, in MiB. */
  heapUsedMb(): number;
  /** Stops whatever the readings keep running. */
  close?(): void;
}

/** Thresholds; 0 turns shedding on that reading off. Read at every sample, so a reload applies from the next one. */
export interface OverloadLimits {
  maxEventLoopDelayMs: number;
  maxHeapUsedMb: number;
}

/**
 * Shedding ends only when every reading is back under this share of its threshold: shed requests cost little, so the
 * delay falls at once, and without a gap the state would flip at every sample while the load lasts.
 */
export const RECOVERY_RATIO = 0.8;

/** How often the readings are taken: often enough to catch a heap growing ~100 MB a minute within a couple of MB. */
export const OVERLOAD_SAMPLE_MS = 1_000;

/**
 * A shed request's Retry-After, drawn per answer: at least two samples, so a retry meets a fresh decision, and spread
 * so the callers shed together do not all come back in the same second.
 */
export const OVERLOAD_RETRY_AFTER_S = { min: 2, max: 5 } as const;

/** `overload` in /readyz's body. */
export interface OverloadStatus {
  state: 'ok' | 'shedding';
  /** While shedding: the reading over its threshold. */
  reason?: OverloadReason;
  /** While shedding: when it began (ISO 8601). */
  since?: string;
  /** The last sample's readings, rounded. */
  eventLoopDelayMs: number;
  heapUsedMb: number;
}

export interface OverloadMonitorOptions {
  readings: OverloadReadings;
  limits: () => OverloadLimits;
  clock: Clock;
  /** Called when shedding begins and when it ends, with the status after the change. */
  onChange?(status: OverloadStatus): void;
}

const LIMIT_OF: Readonly<Record<OverloadReason, keyof OverloadLimits>> = { 'event-loop-delay': 'maxEventLoopDelayMs', 'heap-used': 'maxHeapUsedMb' };

export class OverloadMonitor {
  /** The request path's only read: true while /v3 requests are shed. */
  shedding = false;
  /** While shedding: the reading that keeps it so (the shed counter's label). */
  reason: OverloadReason = 'event-loop-delay';
  private since = 0;
  private last: Record<OverloadReason, number> = { 'event-loop-delay': 0, 'heap-used': 0 };

  constructor(private readonly options: OverloadMonitorOptions) {}

  /** One decision from fresh readings; the timer started by start() calls it. */
  sample(): void {
    this.last = { 'event-loop-delay': this.options.readings.eventLoopDelayMs(), 'heap-used': this.options.readings.heapUsedMb() };
    const limits = this.options.limits();
    const share = this.shedding ? RECOVERY_RATIO : 1;
    const over = (reason: OverloadReason): boolean => limits[LIMIT_OF[reason]] > 0 && this.last[reason] > limits[LIMIT_OF[reason]] * share;
    const reason = this.shedding && over(this.reason) ? this.reason : OVERLOAD_REASONS.find(over);
    const changed = (reason !== undefined) !== this.shedding;
    if (reason !== undefined) {
      if (!this.shedding) this.since = this.options.clock.now();
      this.reason = reason;
    }
    this.shedding = reason !== undefined;
    if (changed) this.options.onChange?.(this.status());
  }

  status(): OverloadStatus {
    const readings = { eventLoopDelayMs: Math.round(this.last['event-loop-delay']), heapUsedMb: Math.round(this.last['heap-used']) };
    return this.shedding ? { state: 'shedding', reason: this.reason, since: new Date(this.since).toISOString(), ...readings } : { state: 'ok', ...readings };
  }

  /** Samples every `intervalMs` on a timer that never keeps the process alive; stop() ends it and closes the readings. */
  start(intervalMs: number): () => void {
    const timer = setInterval(() => this.sample(), intervalMs).unref();
    return () => {
      clearInterval(timer);
      this.options.readings.close?.();
    };
  }
}

/** The period of the delay histogram's timer: each value it records is one period plus the delay. */
const DELAY_RESOLUTION_MS = 10;

/**
 * The process's own readings. The delay is the mean of what the histogram recorded since the last read: under
 * sustained saturation every turn of the loop is long and the mean is that length, while one long pause (a full GC)
 * among many short turns barely moves it. The histogram is never reset, because the first value after a reset is
 * not recorded (a stall that began just then would go unseen): the window is the difference of two running totals.
 * The heap is V8's used size, garbage not yet collected included.
 */
export const processReadings = (): OverloadReadings => {
  const histogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  histogram.enable();
  let count = 0;
  let totalNs = 0;
  return {
    eventLoopDelayMs() {
      const nowCount = histogram.count;
      const nowTotalNs = nowCount === 0 ? 0 : histogram.mean * nowCount;
      const recorded = nowCount - count;
      const meanMs = recorded <= 0 ? DELAY_RESOLUTION_MS : (nowTotalNs - totalNs) / recorded / 1e6;
      count = nowCount;
      totalNs = nowTotalNs;
      return Math.max(0, meanMs - DELAY_RESOLUTION_MS);
    },
    heapUsedMb: () => getHeapStatistics().used_heap_size / 2 ** 20,
    close: () => histogram.disable(),
  };
};
