// Under overload: /v3 is shed with 503 GW.5031 while probes and scrapes answer, and log lines past the buffer are counted.
import { boundedDestination, closeDestination, createLogger } from '../../src/logger';
import type { OverloadReadings } from '../../src/overload/OverloadMonitor';
import type { Simulator } from '../../src/simulator/startSimulator';
import { createFifo } from '../support/fifo';
import { send } from '../support/http';
import { logLines } from '../support/logLines';
import { startTestGateway, type TestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';
import { eventually } from '../support/eventually';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const metricValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('overload shedding', () => {
  const delay = { ms: 0 };
  const readings: OverloadReadings = { eventLoopDelayMs: () => delay.ms, heapUsedMb: () => 50 };
  let gateway: TestGateway;
  let simulator: Simulator;
  const token = signToken({ sub: 'busy-caller', projects: ['*'] });
  const precheck = () => send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck-result`, { headers: { Authorization: bearer(token) }, body: { jobs: [JOB] } });
  /** The status only: an open stream is cancelled once its headers are in. */
  const progressStatus = async (): Promise<number> => {
    const res = await fetch(`${gateway.url}/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { headers: { Authorization: bearer(token) } });
    await res.body?.cancel();
    return res.status;
  };
  const progress = () => send(gateway.url, `/v3/${PROJECT}/jobs/precheck-progress?jobs=${JOB}`, { method: 'GET', headers: { Authorization: bearer(token) } });
  const { sink, lines } = logLines();
  const readyz = () => send(gateway.url, '/readyz', { method: 'GET' });
  const metrics = async () => (await send(gateway.url, '/metrics', { method: 'GET' })).text;

  beforeAll(async () => {
    gateway = await startTestGateway(
      { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '100', OVERLOAD_MAX_HEAP_USED_MB: '200' },
      { overloadReadings: readings, overloadSampleMs: 50, logger: createLogger('info', sink) },
    );
    simulator = gateway.simulator as Simulator;
  });
  afterAll(() => gateway.stop());

  it('answers /v3 503 GW.5031 with Retry-After before any work while the loop is slow, keeps /healthz, /readyz (200, with the state) and /metrics, and serves again once it recovers', async () => {
    expect((await precheck()).status).toBe(200);
    // The first sample may still be ahead on a busy machine (the chaos run shares it in the system tier).
    const ready = await eventually(readyz, (res) => res.json<{ overload: { heapUsedMb: number } }>().overload.heapUsedMb === 50);
    expect(ready.json()).toMatchObject({ status: 'ready', overload: { state: 'ok', eventLoopDelayMs: 0, heapUsedMb: 50 } });

    delay.ms = 250;
    const shedding = await eventually(readyz, (res) => res.json<{ overload: { state: string } }>().overload.state === 'shedding');
    expect(shedding.status).toBe(200);
    expect(shedding.json()).toMatchObject({ status: 'ready', overload: { state: 'shedding', reason: 'event-loop-delay', eventLoopDelayMs: 250, heapUsedMb: 50 } });
    expect(Date.parse(shedding.json<{ overload: { since: string } }>().overload.since)).toBeGreaterThan(0);

    const drsBefore = simulator.stats.drsRequests;
    const iamBefore = simulator.stats.iamTokenRequests;
    for (const res of [await precheck(), await progress()]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(res.json()).toMatchObject({ status: 503, error_code: 'GW.5031', title: 'Gateway overloaded' });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(5);
    }
    expect(simulator.stats.drsRequests).toBe(drsBefore);
    expect(simulator.stats.iamTokenRequests).toBe(iamBefore);

    expect((await send(gateway.url, '/healthz', { method: 'GET' })).status).toBe(200);
    const scraped = await metrics();
    expect(metricValue(scraped, 'gateway_overload_shedding')).toBe(1);
    expect(metricValue(scraped, 'gateway_overload_shed_requests_total{reason="event-loop-delay"}')).toBe(2);

    // Under the threshold but over 80% of it: still shedding.
    delay.ms = 90;
    await sleep(200);
    expect((await precheck()).status).toBe(503);

    delay.ms = 5;
    const recovered = await eventually(readyz, (res) => res.json<{ overload: { state: string } }>().overload.state === 'ok');
    expect(recovered.json()).toMatchObject({ status: 'ready', overload: { state: 'ok', eventLoopDelayMs: 5 } });
    expect((await precheck()).status).toBe(200);
    expect(await progressStatus()).toBe(200);
    await sleep(1_100);
    expect(metricValue(await metrics(), 'gateway_overload_shedding')).toBe(0);
  });

  it('logs each change of state once and each shed request only on its access line, never as a failure', () => {
    const parsed = lines.map((l) => JSON.parse(l) as { level: number; msg: string; code?: string });
    expect(parsed.filter((l) => l.msg.startsWith('overloaded') || l.msg.startsWith('no longer overloaded')).map((l) => [l.level, l.msg])).toEqual([
      [40, 'overloaded: shedding /v3 requests (503 GW.5031)'],
      [30, 'no longer overloaded: serving /v3 requests again'],
    ]);
    expect(parsed.filter((l) => l.msg === 'request failed')).toEqual([]);
    expect(parsed.filter((l) => l.msg === 'request completed' && l.code === 'GW.5031').length).toBeGreaterThanOrEqual(3);
  });
});

describe('a stalled log reader', () => {
  it('costs the log lines past the buffer, each counted in gateway_log_lines_dropped_total', async () => {
    const fifo = createFifo();
    const destination = boundedDestination(fifo.fullWriter(), 8 * 1024);
    const gateway = await startTestGateway({ LOG_LEVEL: 'info' }, { logger: createLogger('info', destination.stream), logLinesDropped: destination.droppedLines });
    try {
      const token = signToken({ sub: 'chatty-caller', projects: ['*'] });
      for (let i = 0; i < 20; i += 1) {
        const res = await send(gateway.url, `/v3/${PROJECT}/jobs/batch-precheck`, { headers: { Authorization: bearer(token) }, body: { jobs: [{ job_id: JOB, precheck_mode: 'forStartJob' }] } });
        expect(res.status).toBe(200);
      }
      // Each pre-check writes an access line and an audit line of several hundred bytes: 8 KiB holds far fewer than 40.
      const dropped = destination.droppedLines();
      expect(dropped).toBeGreaterThan(0);
      expect(metricValue((await send(gateway.url, '/metrics', { method: 'GET' })).text, 'gateway_log_lines_dropped_total{destination="stdout"}')).toBeGreaterThanOrEqual(dropped);
    } finally {
      await gateway.stop();
      fifo.drain();
      await closeDestination(destination.stream, 1_000);
      fifo.close();
    }
  });
});
