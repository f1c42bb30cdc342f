// The recent audit lines of one instance: newest first, bounded in count and in bytes per line, as the log writes them.
import { createLogger } from '../../src/logger';
import { createAuditTrail } from '../../src/telemetry/AuditLog';
import { createRecentEvents, MAX_EVENT_BYTES, MAX_EVENTS } from '../../src/telemetry/RecentEvents';
import { CountingMetrics } from '../support/CountingMetrics';
import { logLines } from '../support/logLines';

const memoryEvents = () => createRecentEvents({ metrics: new CountingMetrics(), logger: { warn: () => undefined, info: () => undefined } });

describe('recent events without Redis', () => {
  it('are the audit lines as the log writes them (serialised again, so `time` may be a millisecond apart), newest first, even when LOG_LEVEL silences the log', async () => {
    const events = memoryEvents();
    const { sink, lines } = logLines();
    const trail = createAuditTrail(createLogger('info', sink), undefined, events);
    trail.log.info({ audit: 'precheck', action: 'batch-precheck', caller: 'alice', requestId: 'r1' }, 'batch-precheck answered');
    trail.log.info({ audit: 'admin', action: 'config.read', caller: 'ops', requestId: 'r2' }, 'configuration read');
    const answer = await events.read(100);
    expect(answer.shared).toBe(false);
    const untimed = (line: object) => ({ ...line, time: expect.closeTo((line as { time: number }).time, -1) as unknown });
    expect(answer.events).toEqual(lines.map((line) => untimed(JSON.parse(line) as object)).reverse());
    expect(answer.events).toMatchObject([{ level: 30, requestId: 'r2', msg: 'configuration read' }, { requestId: 'r1' }]);

    const quiet = memoryEvents();
    createAuditTrail(createLogger('silent'), undefined, quiet).log.info({ audit: 'admin' }, 'configuration read');
    expect((await quiet.read(10)).events).toHaveLength(1);
  });

  it(`keeps the last ${MAX_EVENTS} lines, and answers at most the limit asked for`, async () => {
    const events = memoryEvents();
    for (let i = 0; i < MAX_EVENTS + 20; i += 1) events.add(JSON.stringify({ time: i, n: i }));
    const all = (await events.read(MAX_EVENTS)).events as Array<{ n: number }>;
    expect(all).toHaveLength(MAX_EVENTS);
    expect(all[0]?.n).toBe(MAX_EVENTS + 19);
    expect(all.at(-1)?.n).toBe(20);
    expect(((await events.read(3)).events as Array<{ n: number }>).map((e) => e.n)).toEqual([MAX_EVENTS + 19, MAX_EVENTS + 18, MAX_EVENTS + 17]);
    expect((await memoryEvents().read(5)).events).toEqual([]);
  });

  it(`keeps a line over ${MAX_EVENT_BYTES} bytes as its identifying fields, cut short, and marked truncated`, async () => {
    const events = memoryEvents();
    const sub = 'ü'.repeat(MAX_EVENT_BYTES);
    events.add(JSON.stringify({ level: 30, time: 1, audit: 'admin', action: 'config.reload', caller: sub, settings: Array(500).fill('regions.x.drsEndpoint'), requestId: 'r9', msg: 'refused' }));
    const [kept] = (await events.read(1)).events as Array<Record<string, unknown>>;
    expect(kept).toEqual({ truncated: true, level: 30, time: 1, audit: 'admin', action: 'config.reload', caller: 'ü'.repeat(256), requestId: 'r9', msg: 'refused' });
  });
});
