import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '../..');

/** The OpenTelemetry packages a fresh process has loaded after building the gateway's tracing from `env` (the compiled dist/, as `npm start` runs it). */
const packagesLoadedWith = async (env: Record<string, string>): Promise<string[]> => {
  const script = `
    const { loadConfig } = require('./dist/config/loadConfig');
    const { createTracing } = require('./dist/telemetry/createTracing');
    require('./dist/server');
    const config = loadConfig({ env: ${JSON.stringify(env)}, readFile: () => '', generateSecret: () => 'x'.repeat(40) }).config;
    createTracing(config.tracing, { version: '0', logger: { warn() {}, info() {} } }).then(async (tracing) => {
      await tracing.shutdown(100);
      const loaded = Object.keys(require.cache).map((path) => /node_modules\\/(@opentelemetry\\/[^/]+)\\//.exec(path)?.[1]).filter(Boolean);
      console.log(JSON.stringify([...new Set(loaded)].sort()));
    });
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
  return JSON.parse(stdout) as string[];
};

describe('the OpenTelemetry SDK', () => {
  it('is not loaded at all while tracing is off: only the API and the attribute names the request path refers to', async () => {
    expect(await packagesLoadedWith({})).toEqual(['@opentelemetry/api', '@opentelemetry/semantic-conventions']);
  });

  it('is loaded, exporters included, once an OTLP endpoint turns tracing on', async () => {
    expect(await packagesLoadedWith({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })).toEqual(
      expect.arrayContaining(['@opentelemetry/sdk-trace', '@opentelemetry/exporter-trace-otlp-proto', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/core']),
    );
  });
});
