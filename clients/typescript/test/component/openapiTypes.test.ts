// The committed client types must be what openapi-typescript makes of the document the gateway serves.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunningGateway } from '../../../../src/server';
import { startTestGateway } from '../../../../test/support/startTestGateway';

const CLIENT = join(__dirname, '..', '..');

describe('the client types generated from /openapi.json', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('are current: regenerating them from the running gateway gives the committed file (else run `npm run client:generate`)', async () => {
    // A child process, because openapi-typescript and the generator are ES modules and Jest runs CommonJS.
    const { stdout } = await promisify(execFile)(process.execPath, [join(CLIENT, 'scripts', 'generate.mjs'), `${gateway.url}/openapi.json`], { maxBuffer: 8 * 1024 * 1024 });
    expect(stdout).toBe(readFileSync(join(CLIENT, 'src', 'openapi.ts'), 'utf8'));
  });
});
