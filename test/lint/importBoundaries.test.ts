// The boundaries lint enforces: src/iam and src/upstream never import each other (both may use src/outbound), and src/ registers no global OpenTelemetry state.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const ESLINT = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Lints `code` as if it were the file at `path`; resolves with the rule ids that fired. */
const lint = async (path: string, code: string): Promise<string[]> => {
  const running = promisify(execFile)(process.execPath, [ESLINT, '--format', 'json', '--stdin', '--stdin-filename', path], { cwd: ROOT, timeout: 60_000 });
  running.child.stdin?.end(code);
  // eslint exits 1 when a rule fires; its JSON report is on stdout either way.
  const { stdout } = await running.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const [result] = JSON.parse(stdout) as Array<{ messages: Array<{ ruleId: string | null }> }>;
  return (result?.messages ?? []).map((message) => message.ruleId ?? 'parse-error');
};

jest.setTimeout(60_000);

describe('import boundaries between src/iam and src/upstream', () => {
  it('refuses an import of src/upstream from src/iam', async () => {
    const rules = await lint('src/iam/probe.ts', "import type { TokenSource } from '../upstream/createPrecheckForwarder';\nexport type T = TokenSource;\n");
    expect(rules).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('refuses an import of src/iam from src/upstream', async () => {
    const rules = await lint('src/upstream/probe.ts', "import type { IamToken } from '../iam/IamToken';\nexport type T = IamToken;\n");
    expect(rules).toContain('@typescript-eslint/no-restricted-imports');
  });

  it('lets both import the shared outbound pieces', async () => {
    const code = "import type { HttpClient } from '../outbound/createHttpClient';\nexport type T = HttpClient;\n";
    expect(await lint('src/iam/probe.ts', code)).toEqual([]);
    expect(await lint('src/upstream/probe.ts', code)).toEqual([]);
  });
});

describe('no global OpenTelemetry registration in src/', () => {
  it('refuses a global tracer provider, context manager, propagator or diagnostic logger, and a provider.register()', async () => {
    const code = [
      "import { context, diag, propagation, trace } from '@opentelemetry/api';",
      'declare const provider: { register(): void };',
      'trace.setGlobalTracerProvider({} as never);',
      'context.setGlobalContextManager({} as never);',
      'propagation.setGlobalPropagator({} as never);',
      'diag.setLogger({} as never);',
      'provider.register();',
      '',
    ].join('\n');
    expect(await lint('src/telemetry/probe.ts', code)).toEqual(Array.from({ length: 5 }, () => 'no-restricted-properties'));
  });

  it('lets tests use the SDK as they like', async () => {
    expect(await lint('test/telemetry/probe.ts', "import { trace } from '@opentelemetry/api';\ntrace.setGlobalTracerProvider({} as never);\n")).toEqual([]);
  });
});
