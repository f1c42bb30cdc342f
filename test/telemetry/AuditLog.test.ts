import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger';
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

  it('refuses at creation a path it cannot open, naming the path', () => {
    const missing = join(dir, 'no-such-folder', 'audit.jsonl');
    expect(() => createAuditTrail(createLogger('silent'), missing)).toThrow(/ENOENT.*no-such-folder/);
  });
});
