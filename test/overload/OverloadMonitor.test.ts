import { OverloadMonitor, processReadings, RECOVERY_RATIO, type OverloadLimits, type OverloadStatus } from '../../src/overload/OverloadMonitor';
import { FakeClock } from '../support/fakeClock';

/** Readings the test sets by hand; `reads` counts the samples that took them. */
const handReadings = () => {
  const readings = { delayMs: 0, heapMb: 0, reads: 0, closed: false };
  return {
    readings,
    source: {
      eventLoopDelayMs: () => {
        readings.reads += 1;
        return readings.delayMs;
      },
      heapUsedMb: () => readings.heapMb,
      close: () => {
        readings.closed = true;
      },
    },
  };
};

const setUp = (limits: OverloadLimits = { maxEventLoopDelayMs: 100, maxHeapUsedMb: 200 }) => {
  const clock = new FakeClock();
  const { readings, source } = handReadings();
  const changes: OverloadStatus[] = [];
  const current = { limits };
  const monitor = new OverloadMonitor({ readings: source, limits: () => current.limits, clock, onChange: (status) => changes.push(status) });
  return { clock, readings, changes, current, monitor };
};

describe('OverloadMonitor', () => {
  it('serves while every reading is at or under its threshold', () => {
    const { readings, monitor, changes } = setUp();
    readings.delayMs = 100;
    readings.heapMb = 200;
    monitor.sample();
    expect(monitor.shedding).toBe(false);
    expect(monitor.status()).toEqual({ state: 'ok', eventLoopDelayMs: 100, heapUsedMb: 200 });
    expect(changes).toEqual([]);
  });

  it('sheds once the event-loop delay passes its threshold, naming the reason and the time it began', () => {
    const { clock, readings, monitor, changes } = setUp();
    readings.delayMs = 100.4;
    monitor.sample();
    expect(monitor.shedding).toBe(true);
    const status = { state: 'shedding', reason: 'event-loop-delay', since: new Date(clock.now()).toISOString(), eventLoopDelayMs: 100, heapUsedMb: 0 };
    expect(monitor.status()).toEqual(status);
    expect(changes).toEqual([status]);

    clock.advance(1_000);
    readings.delayMs = 400;
    monitor.sample();
    expect(monitor.status()).toMatchObject({ since: status.since, eventLoopDelayMs: 400 });
    expect(changes).toHaveLength(1);
  });

  it('sheds once the heap in use passes its threshold', () => {
    const { readings, monitor } = setUp();
    readings.heapMb = 201;
    monitor.sample();
    expect(monitor).toMatchObject({ shedding: true, reason: 'heap-used' });
  });

  it(`keeps shedding while a reading is over ${RECOVERY_RATIO * 100}% of its threshold, then serves again`, () => {
    const { clock, readings, monitor, changes } = setUp();
    readings.delayMs = 150;
    monitor.sample();
    readings.delayMs = 90;
    monitor.sample();
    expect(monitor.shedding).toBe(true);
    readings.delayMs = 81;
    monitor.sample();
    expect(monitor.shedding).toBe(true);

    clock.advance(3_000);
    readings.delayMs = 80;
    monitor.sample();
    expect(monitor.shedding).toBe(false);
    expect(monitor.status()).toEqual({ state: 'ok', eventLoopDelayMs: 80, heapUsedMb: 0 });
    expect(changes.map((c) => c.state)).toEqual(['shedding', 'ok']);
  });

  it('names the reading that still holds it over its recovery level when the first one has recovered', () => {
    const { readings, monitor, changes } = setUp();
    readings.delayMs = 150;
    readings.heapMb = 170;
    monitor.sample();
    expect(monitor.reason).toBe('event-loop-delay');
    readings.delayMs = 10;
    monitor.sample();
    expect(monitor).toMatchObject({ shedding: true, reason: 'heap-used' });
    expect(changes).toHaveLength(1);
  });

  it('never sheds on a reading whose threshold is 0', () => {
    const { readings, monitor } = setUp({ maxEventLoopDelayMs: 0, maxHeapUsedMb: 0 });
    readings.delayMs = 10_000;
    readings.heapMb = 10_000;
    monitor.sample();
    expect(monitor.shedding).toBe(false);
  });

  it('applies new thresholds (a reload) from the next sample', () => {
    const { readings, monitor, current } = setUp();
    readings.delayMs = 60;
    monitor.sample();
    expect(monitor.shedding).toBe(false);
    current.limits = { maxEventLoopDelayMs: 50, maxHeapUsedMb: 200 };
    monitor.sample();
    expect(monitor.shedding).toBe(true);
  });

  it('samples on its timer until stopped, and closes the readings then', async () => {
    const { readings, monitor } = setUp();
    const stop = monitor.start(10);
    while (readings.reads < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    stop();
    const reads = readings.reads;
    expect(readings.closed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readings.reads).toBe(reads);
  });
});

describe('processReadings', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('reports a blocked event loop as delay, and a free one as next to none', async () => {
    const readings = processReadings();
    try {
      await sleep(50);
      readings.eventLoopDelayMs();
      const until = Date.now() + 500;
      while (Date.now() < until) {
        // Blocks the loop, as a request doing half a second of synchronous work would.
      }
      await sleep(20);
      expect(readings.eventLoopDelayMs()).toBeGreaterThan(100);
      await sleep(200);
      // Generous: on a loaded machine timers run late, but nowhere near a blocked loop's delay.
      expect(readings.eventLoopDelayMs()).toBeLessThan(100);
      expect(readings.heapUsedMb()).toBeGreaterThan(1);
    } finally {
      readings.close?.();
    }
  });
});
