// The heartbeat tells a hung Redis (timeouts on time) from a stalled event loop (timeouts that fire late).
import { LATE_MISSES_TO_DROP, startRedisHeartbeat, type HeartbeatClient } from '../../src/redis/startRedisHeartbeat';

const INTERVAL_MS = 1_000;
const COMMAND_TIMEOUT_MS = 250;

/** A client whose PINGs the test answers one by one, on a clock the test moves. */
const heartbeatDouble = () => {
  let time = 0;
  const pending: Array<{ resolve: (pong: string) => void; reject: (error: Error) => void }> = [];
  const disconnects: boolean[] = [];
  const client = {
    status: 'ready',
    ping: () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject })),
    disconnect: (reconnect: boolean) => disconnects.push(reconnect),
  } as unknown as HeartbeatClient;
  const heartbeat = startRedisHeartbeat(client, { intervalMs: INTERVAL_MS, commandTimeoutMs: COMMAND_TIMEOUT_MS, clock: { now: () => time } });
  /** Lets the next PING go out, then settles it after `afterMs` on the clock. */
  const ping = async (outcome: 'pong' | 'timeout', afterMs: number): Promise<void> => {
    await jest.advanceTimersByTimeAsync(INTERVAL_MS);
    const call = pending.shift();
    if (call === undefined) throw new Error('the heartbeat sent no PING');
    time += afterMs;
    if (outcome === 'pong') call.resolve('PONG');
    else call.reject(new Error('Command timed out'));
    await jest.advanceTimersByTimeAsync(0);
  };
  return { ping, disconnects, stop: () => heartbeat.stop() };
};

describe('startRedisHeartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('drops the connection, to reconnect, when a PING times out on time: the server is hung', async () => {
    const double = heartbeatDouble();
    await double.ping('timeout', COMMAND_TIMEOUT_MS);
    expect(double.disconnects).toEqual([true]);
    double.stop();
  });

  it('keeps the connection when a PING timed out only because the event loop stalled past its timeout', async () => {
    const double = heartbeatDouble();
    await double.ping('timeout', 4 * COMMAND_TIMEOUT_MS);
    await double.ping('pong', 1);
    expect(double.disconnects).toEqual([]);
    double.stop();
  });

  it(`drops the connection after ${LATE_MISSES_TO_DROP} late timeouts in a row, so a hung server on a stalled loop is still noticed`, async () => {
    const double = heartbeatDouble();
    for (let miss = 1; miss < LATE_MISSES_TO_DROP; miss += 1) await double.ping('timeout', 4 * COMMAND_TIMEOUT_MS);
    expect(double.disconnects).toEqual([]);
    await double.ping('timeout', 4 * COMMAND_TIMEOUT_MS);
    expect(double.disconnects).toEqual([true]);
    double.stop();
  });

  it('starts counting late timeouts again after a PONG', async () => {
    const double = heartbeatDouble();
    for (let round = 0; round < 2; round += 1) {
      for (let miss = 1; miss < LATE_MISSES_TO_DROP; miss += 1) await double.ping('timeout', 4 * COMMAND_TIMEOUT_MS);
      await double.ping('pong', 1);
    }
    expect(double.disconnects).toEqual([]);
    double.stop();
  });
});
