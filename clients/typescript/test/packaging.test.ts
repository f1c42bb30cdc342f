// The built package (what `npm ci` links as @drs-precheck-gateway/client) loads in Node as an ES module and by require.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = async (args: string[]): Promise<string> => (await promisify(execFile)(process.execPath, args, { cwd: __dirname })).stdout.trim();

describe('the built client package', () => {
  it('is importable from an ES module service', async () => {
    expect(await run(['--input-type=module', '-e', "import { createGatewayClient, GatewayClientError } from '@drs-precheck-gateway/client'; console.log(typeof createGatewayClient, typeof GatewayClientError)"])).toBe('function function');
  });

  it('is requirable from a CommonJS service on Node 22.12+', async () => {
    expect(await run(['-e', "const { createGatewayClient } = require('@drs-precheck-gateway/client'); console.log(typeof createGatewayClient)"])).toBe('function');
  });
});
