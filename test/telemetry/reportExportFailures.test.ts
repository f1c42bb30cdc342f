import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { reportExportFailures } from '../../src/telemetry/reportExportFailures';

/** An exporter whose every export ends as the script says, in order. */
const scriptedExporter = (results: ExportResult[]): SpanExporter => ({
  export: (_spans, done) => done(results.shift() ?? { code: ExportResultCode.SUCCESS }),
  shutdown: async () => undefined,
});

const failure = (error: Error): ExportResult => ({ code: ExportResultCode.FAILED, error });
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
const spans = (n: number) => Array.from({ length: n }, () => ({}) as ReadableSpan);

describe('reportExportFailures', () => {
  it('logs one warning per outage and one line when exports succeed again, whatever the number of failed batches', () => {
    const lines: Array<[string, object, string]> = [];
    const logger = { warn: (obj: object, msg: string) => lines.push(['warn', obj, msg]), info: (obj: object, msg: string) => lines.push(['info', obj, msg]) };
    const ok = { code: ExportResultCode.SUCCESS };
    const exporter = reportExportFailures(scriptedExporter([ok, failure(refused), failure(refused), failure(new Error('Request timed out')), ok, ok, failure(refused)]), logger);
    const results: ExportResultCode[] = [];
    for (const size of [1, 2, 3, 4, 5, 6, 7]) exporter.export(spans(size), (result) => results.push(result.code));
    // Each result still reaches the batch processor unchanged.
    expect(results).toEqual([0, 1, 1, 1, 0, 0, 1]);
    expect(lines).toEqual([
      ['warn', { error: 'Error', code: 'ECONNREFUSED', reason: 'connect ECONNREFUSED 127.0.0.1:4318', spans: 2 }, expect.stringContaining('logged once per outage')],
      ['info', { failedBatches: 3, droppedSpans: 2 + 3 + 4 }, 'trace export recovered'],
      ['warn', expect.objectContaining({ code: 'ECONNREFUSED', spans: 7 }), expect.stringContaining('trace export failed')],
    ]);
  });

  it("never logs a collector's response body and bounds the message", () => {
    const lines: object[] = [];
    const logger = { warn: (obj: object) => lines.push(obj), info: (obj: object) => lines.push(obj) };
    const rejected = Object.assign(new Error('x'.repeat(500)), { code: 401, data: 'echoed header api-key=s3cr3t' });
    reportExportFailures(scriptedExporter([failure(rejected)]), logger).export(spans(1), () => undefined);
    expect(lines).toEqual([{ error: 'Error', code: 401, reason: 'x'.repeat(200), spans: 1 }]);
  });
});
