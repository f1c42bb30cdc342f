// Under overload: log lines past the buffer are dropped and counted.
import { boundedDestination, closeDestination, createLogger } from '../../src/logger';
import { createFifo } from '../support/fifo';
import { send } from '../support/http';
import { startTestGateway } from '../support/startTestGateway';
import { bearer, JOB, PROJECT, signToken } from '../support/tokens';

const metricValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

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
