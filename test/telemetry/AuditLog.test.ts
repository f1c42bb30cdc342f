import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LOG_BUFFER_MAX_BYTES } from '../../src/logger';
import { createAuditTrail } from '../../src/telemetry/AuditLog';
import { logLines } from '../support/logLines';

describe('createAuditTrail', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps audit lines on stdout when LOG_LEVEL is warn or error, and drops them only when silent', async () => {
    for (const level of ['warn', 'error'] as const) {
      const { sink, lines } = logLines();
      const logger = createLogger(level, sink);
      createAuditTrail(logger, undefined).log.info({ audit: 'precheck' }, 'batch-precheck answered');
      logger.info({}, 'an ordinary info line');
      expect(lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg)).toEqual(['batch-precheck answered']);
    }
    const { sink, lines } = logLines();
    createAuditTrail(createLogger('silent', sink), undefined).log.info({ audit: 'precheck' }, 'batch-precheck answered');
    expect(lines).toEqual([]);
  });

  it('appends a copy of every audit line to AUDIT_LOG, written out by close()', async () => {
    const file = join(dir, 'audit.jsonl');
    const { sink, lines } = logLines();
    const trail = createAuditTrail(createLogger('info', sink), file);
    trail.log.info({ audit: 'admin', action: 'config.read' }, 'configuration read');
    trail.log.info({ audit: 'precheck', action: 'batch-precheck' }, 'batch-precheck answered');
    await trail.close(2_000);
    const copied = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { audit: string });
    expect(copied.map((l) => l.audit)).toEqual(['admin', 'precheck']);
    expect(lines).toHaveLength(2);

    const again = createAuditTrail(createLogger('silent'), file);
    again.log.info({ audit: 'precheck' }, 'second run');
    await again.close(2_000);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('holds at most LOG_BUFFER_MAX_BYTES of unwritten lines for the file, counting the lines it drops', async () => {
    const file = join(dir, 'audit.jsonl');
    const trail = createAuditTrail(createLogger('silent'), file);
    const fields = { audit: 'precheck', pad: 'x'.repeat(1_000) };
    const { sink, lines } = logLines();
    createLogger('info', sink).info(fields, 'batch-precheck answered');
    const lineBytes = Buffer.byteLength(`${lines[0]}\n`);
    // One synchronous burst: nothing is written until it is over, so all of it waits in the buffer at once.
    const burst = Math.ceil((1.5 * LOG_BUFFER_MAX_BYTES) / lineBytes);
    for (let i = 0; i < burst; i += 1) trail.log.info(fields, 'batch-precheck answered');
    const dropped = trail.droppedLines?.() ?? 0;
    expect(dropped).toBe(burst - Math.floor(LOG_BUFFER_MAX_BYTES / lineBytes));
    await trail.close(5_000);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(burst - dropped);
  });

  it('refuses at creation a path it cannot open, naming the path', () => {
    const missing = join(dir, 'no-such-folder', 'audit.jsonl');
    expect(() => createAuditTrail(createLogger('silent'), missing)).toThrow(/ENOENT.*no-such-folder/);
  });
});
