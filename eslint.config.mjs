// Lint rules: typed TypeScript rules everywhere, Express kept inside the HTTP layer, and no import running up src/'s layers.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * src/ in layers, lowest first; an entry is a folder or a top-level file. A file may import its own folder and the
 * layers below, never a layer above nor another entry of its own layer: iam and upstream, say, share src/outbound and
 * import neither each other. A new folder needs a place here (test/lint/importBoundaries.test.ts checks every one has).
 */
const LAYERS = [
  ['clock.ts', 'version.ts', 'logger.ts', 'isRecord.ts', 'holdSighup.ts', 'errors', 'time'],
  ['validation', 'outbound', 'redis', 'lifecycle', 'overload'],
  ['drs'],
  ['metrics'],
  ['config', 'failover'],
  ['telemetry'],
  ['auth', 'iam', 'upstream', 'idempotency'],
  ['rate-limit', 'progress', 'precheck'],
  ['stores', 'openapi'],
  ['topology'],
  ['http'],
  ['server.ts', 'simulator'],
  ['sandbox'],
  ['main.ts', 'cli'],
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Express's Router outside strictRouter(), which wraps it: every route has one spelling there. */
const ROUTER = { name: 'express', importNames: ['Router'], allowTypeImports: true, message: 'Use strictRouter(): every route has one spelling (case-sensitive, strict).' };

/** The imports `entry` may not make: the other entries of its layer and every entry above it. */
const layerPatterns = (entry, index) => {
  const above = LAYERS.slice(index + 1).flat();
  // Every src/ folder is flat: another entry is `../<entry>` from a folder and `./<entry>` from a top-level file, so a
  // pattern matches the import as written and never a package.
  const prefix = entry.endsWith('.ts') ? '\\./' : '\\.\\./';
  return [...LAYERS[index].filter((other) => other !== entry), ...above].map((target) => {
    const name = target.replace(/\.ts$/, '');
    return {
      regex: `^${prefix}${escape(name)}(?:/|$)`,
      message: `src/${entry} (layer ${index + 1}) must not import src/${target}, ${above.includes(target) ? 'a layer above it' : 'an entry of its own layer'}: move the shared piece down, or declare the seam here and let the other side fit it.`,
    };
  });
};

const layerRules = () =>
  LAYERS.flatMap((layer, index) =>
    layer.flatMap((entry) => {
      const files = [entry.endsWith('.ts') ? `src/${entry}` : `src/${entry}/**/*.ts`];
      const patterns = layerPatterns(entry, index);
      const rule = (paths) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });
      if (entry !== 'http') return [{ files, rules: rule([]) }];
      return [
        { files, ignores: ['src/http/strictRouter.ts'], rules: rule([ROUTER]) },
        { files: ['src/http/strictRouter.ts'], rules: rule([]) },
      ];
    }),
  );

export default tseslint.config(
  { ignores: ['dist/**', 'clients/typescript/dist/**', 'node_modules/**', 'coverage/**', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http/**', 'src/simulator/**', 'src/server.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'express', message: 'Express stays in src/http (the framework is kept at the edge).' }] }],
    },
  },
  // No global OpenTelemetry state (house rule: no module-level mutable singletons): the composition root builds the
  // provider and hands its tracer down; parents are passed explicitly, so no context manager is needed either.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...[
          ['trace', 'setGlobalTracerProvider'],
          ['context', 'setGlobalContextManager'],
          ['propagation', 'setGlobalPropagator'],
          ['diag', 'setLogger'],
        ].map(([object, property]) => ({ object, property, message: 'No global OpenTelemetry registration: pass the tracer (src/telemetry) and parent contexts explicitly.' })),
        { property: 'register', message: 'No global registration (a tracer provider, a default metrics registry): build it in the composition root and pass it down.' },
      ],
    },
  },
  ...layerRules(),
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'chaos/**/*.ts', 'src/main.ts', 'src/simulator/main.ts', 'src/sandbox/**/*.ts'], rules: { 'no-console': 'off' } },
  {
    // The admin console's script runs in the browser only, as a module the gateway serves as it is written.
    files: ['src/http/adminConsole/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    // The client runs in browsers too: only web-platform globals, nothing from Node's standard library.
    files: ['clients/typescript/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'http', 'https', 'net', 'stream', 'crypto', 'buffer', 'events', 'url', 'util'], message: 'The client runs in browsers: no Node-only imports.' }] }],
    },
  },
);
