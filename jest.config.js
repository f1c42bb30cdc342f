// Jest runs TypeScript through SWC; type errors are caught separately by `npm run typecheck`.
// jose (under jwks-rsa) and github-slugger (the docs tests) ship ESM only, which Jest's CommonJS runtime cannot load,
// so SWC transforms them too; the OTLP exporter loads node:http with a dynamic import(), which Jest's VM refuses
// without a flag, so SWC turns it into require.
// The client's sources import siblings as `./x.js` (ESM rules); Jest maps them back to the TypeScript files.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/clients/typescript/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    '^.+/node_modules/(jose|github-slugger|@opentelemetry/otlp-exporter-base)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/|github-slugger/|@opentelemetry/otlp-exporter-base/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 20000,
  maxWorkers: 2,
};
