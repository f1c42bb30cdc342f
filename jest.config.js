// Jest runs TypeScript through SWC; type errors are caught separately by `npm run typecheck`.
// jose (under jwks-rsa), cockatiel, eventsource-parser and github-slugger (the docs tests) ship ESM only, which
// Jest's CommonJS runtime cannot load (Node 24 itself requires them natively, as dist/ does), so SWC transforms them; the OTLP exporter loads node:http
// with a dynamic import(), which Jest's VM refuses without a flag, so SWC turns it into require.
// The client's sources import siblings as `./x.js` (ESM rules); Jest maps them back to the TypeScript files.
//
// Three tiers, chosen by folder so a new test file lands in one without editing this file:
// - component: real HTTP against one gateway and the simulator (test/component/, the client's test/component/);
// - system: several processes or an outside binary: gateways sharing Redis, Chromium, the compiled entry point and
//   its signals, deploy/ checked with promtool, Prometheus and npm, the lint rules run through ESLint, the OpenAPI
//   document run through Redocly and Spectral, and whatever
//   needs a real redis-server (test/redis/, the client's test/browser/), and the chaos experiment with its checker and
//   fault proxy (test/chaos/: gateways behind HAProxy, Redis with Sentinel);
// - unit: every other folder, which needs nothing but Node.
const COMPONENT = ['test/component', 'clients/typescript/test/component'];
const SYSTEM = ['test/shared-state', 'test/browser', 'test/sandbox', 'test/deploy', 'test/redis', 'test/lint', 'test/openapi', 'test/chaos', 'clients/typescript/test/browser'];
const folders = (paths) => paths.map((path) => `<rootDir>/${path}/`);

const ESM_ONLY = '(jose|cockatiel|eventsource-parser|github-slugger|@opentelemetry/otlp-exporter-base)';

const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    [`^.+/node_modules/${ESM_ONLY}/.+\\.c?js$`]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 20000,
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: folders(['test', 'clients/typescript/test']), testPathIgnorePatterns: ['/node_modules/', ...folders(COMPONENT), ...folders(SYSTEM)] },
    { ...shared, displayName: 'component', roots: folders(COMPONENT) },
    { ...shared, displayName: 'system', roots: folders(SYSTEM) },
  ],
  testTimeout: 20000,
  maxWorkers: 2,
};
