// Jest runs TypeScript through SWC; type errors are caught separately by `npm run typecheck`.
// jose (under jwks-rsa), cockatiel and eventsource-parser ship ESM only, which Jest's CommonJS runtime cannot load
// (Node 24 itself requires them natively, as dist/ does), so SWC transforms them too; the OTLP exporter loads node:http
// with a dynamic import(), which Jest's VM refuses without a flag, so SWC turns it into require.
// The client's sources import siblings as `./x.js` (ESM rules); Jest maps them back to the TypeScript files.
const ESM_ONLY = '(jose|cockatiel|eventsource-parser|@opentelemetry/otlp-exporter-base)';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/clients/typescript/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    [`^.+/node_modules/${ESM_ONLY}/.+\\.c?js$`]: ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 20000,
  maxWorkers: 2,
};
