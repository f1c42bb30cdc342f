// The boundaries lint enforces: no import runs up src/'s layers (eslint.config.mjs, LAYERS), and src/ registers no global OpenTelemetry state.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const RULE = '@typescript-eslint/no-restricted-imports';

/**
 * ESLint's Node API in a child process: it loads eslint.config.mjs with import(), which Jest's VM refuses. One child
 * lints every snippet (resolving with the rule ids that fired on each) and reports the rules configured for each path.
 */
const LINTER = `
const { ESLint } = require('eslint');
let input = '';
process.stdin.on('data', (chunk) => (input += chunk)).on('end', async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const { snippets, configured } = JSON.parse(input);
  const linted = await Promise.all(snippets.map(async ({ path, code }) => (await eslint.lintText(code, { filePath: path }))[0].messages.map((m) => m.ruleId ?? 'parse-error')));
  const rules = await Promise.all(configured.map(async (path) => Object.keys((await eslint.calculateConfigForFile(path)).rules ?? {})));
  process.stdout.write(JSON.stringify({ linted, rules }));
});`;

interface Snippet {
  path: string;
  code: string;
}

const lintAll = async (snippets: readonly Snippet[], configured: readonly string[] = []): Promise<{ linted: string[][]; rules: string[][] }> => {
  const running = promisify(execFile)(process.execPath, ['-e', LINTER], { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  running.child.stdin?.end(JSON.stringify({ snippets: snippets.map(({ path, code }) => ({ path: join(ROOT, path), code })), configured: configured.map((path) => join(ROOT, path)) }));
  return JSON.parse((await running).stdout) as { linted: string[][]; rules: string[][] };
};

const OTEL_GLOBALS = [
  "import { context, diag, propagation, trace } from '@opentelemetry/api';",
  'declare const provider: { register(): void };',
  'trace.setGlobalTracerProvider({} as never);',
  'context.setGlobalContextManager({} as never);',
  'propagation.setGlobalPropagator({} as never);',
  'diag.setLogger({} as never);',
  'provider.register();',
  '',
].join('\n');
const ROUTER = "import { Router } from 'express';\nexport const r = Router;\n";

/** Snippets linted as the file at `path`, each test reading the rule ids that fired on its own. */
const SNIPPETS = {
  typeImportUp: { path: 'src/redis/probe.ts', code: "import type { Runtime } from '../topology/Runtime';\nexport type T = Runtime;\n" },
  withinFolder: { path: 'src/topology/probe.ts', code: "import { Pool } from './Pool';\nexport const P = Pool;\n" },
  testReachingUp: { path: 'test/redis/probe.ts', code: "import type { Runtime } from '../../src/topology/Runtime';\nexport type T = Runtime;\n" },
  routerInHttp: { path: 'src/http/probe.ts', code: ROUTER },
  routerInStrictRouter: { path: 'src/http/strictRouter.ts', code: ROUTER },
  otelGlobalsInSrc: { path: 'src/telemetry/probe.ts', code: OTEL_GLOBALS },
  otelGlobalsInTest: { path: 'test/telemetry/probe.ts', code: "import { trace } from '@opentelemetry/api';\ntrace.setGlobalTracerProvider({} as never);\n" },
} satisfies Record<string, Snippet>;

/** src/'s entries as the layers name them: each folder, and each top-level file with its .ts. */
const ENTRIES = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
  .map((entry) => entry.name)
  .sort();

const isFile = (entry: string): boolean => entry.endsWith('.ts');
/** A file of the entry to lint a probe as. */
const probePath = (entry: string): string => (isFile(entry) ? `src/${entry}` : `src/${entry}/probe.ts`);
/** The import of `target` as a file of `from` writes it. */
const importOf = (from: string, target: string): string => `${isFile(from) ? '.' : '..'}/${isFile(target) ? target.replace(/\.ts$/, '') : `${target}/probe`}`;

const importSnippet = (from: string, target: string): Snippet => ({ path: probePath(from), code: `import '${importOf(from, target)}';\n` });

jest.setTimeout(120_000);

describe('lint boundaries', () => {
  let allowed: Map<string, Set<string>>;
  let configuredRules: Map<string, string[]>;
  let fired: Record<keyof typeof SNIPPETS, string[]>;

  beforeAll(async () => {
    const pairs = ENTRIES.flatMap((from) => ENTRIES.filter((target) => target !== from).map((target) => [from, target] as const));
    const named = Object.entries(SNIPPETS);
    const { linted, rules } = await lintAll([...named.map(([, snippet]) => snippet), ...pairs.map(([from, target]) => importSnippet(from, target))], ENTRIES.map(probePath));
    fired = Object.fromEntries(named.map(([name], i) => [name, linted[i] ?? []])) as typeof fired;
    allowed = new Map(ENTRIES.map((entry) => [entry, new Set<string>()]));
    pairs.forEach(([from, target], i) => {
      if (!(linted[named.length + i] ?? []).includes(RULE)) allowed.get(from)?.add(target);
    });
    configuredRules = new Map(ENTRIES.map((entry, i) => [entry, rules[i] ?? []]));
  });

  describe('the layers of src/', () => {
    it('give every folder and top-level file of src/ a place: each has the rule, so a new folder cannot slip in unlayered', () => {
      expect(ENTRIES.filter((entry) => !configuredRules.get(entry)?.includes(RULE))).toEqual([]);
    });

    it('allow no import back: what the rules let through has no cycle, so the entries stand in layers', () => {
      const cycles: string[][] = [];
      const visiting: string[] = [];
      const done = new Set<string>();
      const visit = (entry: string): void => {
        if (done.has(entry)) return;
        const at = visiting.indexOf(entry);
        if (at >= 0) {
          cycles.push([...visiting.slice(at), entry]);
          return;
        }
        visiting.push(entry);
        for (const target of allowed.get(entry) ?? []) visit(target);
        visiting.pop();
        done.add(entry);
      };
      ENTRIES.forEach(visit);
      expect(cycles).toEqual([]);
    });

    it.each([
      ['rate-limit', 'stores', 'the stores build the limiters’ stores; the failover seam is below both'],
      ['idempotency', 'stores', 'the same'],
      ['config', 'simulator', 'the sandbox IAM user lives in config'],
      ['upstream', 'precheck', 'precheck runs on upstream'],
      ['iam', 'upstream', 'both share src/outbound and import neither each other'],
      ['upstream', 'iam', 'the same'],
      ['server.ts', 'simulator', 'the sandbox’s simulators start outside the gateway'],
      ['http', 'server.ts', 'the composition root is above what it composes'],
    ])('refuse %s importing %s (%s)', (from, target) => {
      expect(allowed.get(from)?.has(target)).toBe(false);
    });

    it('refuse a type-only import running up as well', () => {
      expect(fired.typeImportUp).toEqual([RULE]);
    });

    it('let imports run down and within a folder', () => {
      expect(allowed.get('main.ts')?.has('server.ts')).toBe(true);
      expect(allowed.get('topology')?.has('outbound')).toBe(true);
      expect(fired.withinFolder).toEqual([]);
    });

    it('hold for test files not at all, so tests may reach any layer', () => {
      expect(fired.testReachingUp).toEqual([]);
    });
  });

  describe('express.Router outside strictRouter()', () => {
    it('is refused in src/http, and allowed in strictRouter.ts, which wraps it', () => {
      expect(fired.routerInHttp).toEqual([RULE]);
      expect(fired.routerInStrictRouter).toEqual([]);
    });
  });

  describe('no global OpenTelemetry registration in src/', () => {
    it('refuses a global tracer provider, context manager, propagator or diagnostic logger, and a provider.register()', () => {
      expect(fired.otelGlobalsInSrc).toEqual(Array.from({ length: 5 }, () => 'no-restricted-properties'));
    });

    it('lets tests use the SDK as they like', () => {
      expect(fired.otelGlobalsInTest).toEqual([]);
    });
  });
});
