// Lint rules: typed TypeScript rules everywhere, Express kept inside the HTTP layer, and iam/ and upstream/ apart.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
  {
    files: ['src/http/**/*.ts'],
    ignores: ['src/http/strictRouter.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'express', importNames: ['Router'], allowTypeImports: true, message: 'Use strictRouter(): every route has one spelling (case-sensitive, strict).' }] },
      ],
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
  // IAM and DRS share src/outbound; neither imports the other, so each can change (per region, per credential) alone.
  {
    files: ['src/iam/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/upstream', '**/upstream/**'], message: 'src/iam must not import src/upstream: shared outbound HTTP lives in src/outbound.' }] }],
    },
  },
  {
    files: ['src/upstream/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/iam', '**/iam/**'], message: 'src/upstream must not import src/iam: declare the seam here (TokenSource) and let iam fit it.' }] }],
    },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'src/main.ts', 'src/simulator/main.ts', 'src/sandbox/**/*.ts'], rules: { 'no-console': 'off' } },
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
