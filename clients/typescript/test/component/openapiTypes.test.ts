// The committed generated client files (types, DRS operations, retry kinds) must be what the generator makes of the document the gateway serves.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunningGateway } from '../../../../src/server';
import { startTestGateway } from '../../../../test/support/startTestGateway';

const CLIENT = join(__dirname, '..', '..');

describe('the client files generated from /openapi.json', () => {
  let gateway: RunningGateway;
  let dir: string;

  beforeAll(async () => {
    gateway = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'client-generate-'));
  });
  afterAll(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['openapi.ts', 'gatewayTables.ts'])('%s is current: regenerating it from the running gateway gives the committed file (else run `npm run client:generate`)', async (file) => {
    // A child process, because openapi-typescript and the generator are ES modules and Jest runs CommonJS.
    await promisify(execFile)(process.execPath, [join(CLIENT, 'scripts', 'generate.mjs'), `${gateway.url}/openapi.json`, dir]);
    expect(readFileSync(join(dir, file), 'utf8')).toBe(readFileSync(join(CLIENT, 'src', file), 'utf8'));
  });
});
