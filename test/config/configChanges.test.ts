// The one differ: added, removed and changed settings by dotted name, lists as one setting, restart-only flags, and secrets seen or not by what it is given.
import { configChanges } from '../../src/config/configChanges';
import { loadConfig } from '../../src/config/loadConfig';
import { redactConfig } from '../../src/config/redactConfig';
import { isRestartOnly } from '../../src/config/restartOnly';
import { sources } from '../support/configSources';
import { gatewayYaml, MAIN_PASSWORD_FILE, PARTNER_PASSWORD_ENV } from '../support/gatewayYaml';

const FILE = '/etc/gateway.yaml';
const load = (yaml: string, password = 'first-pa55word') =>
  loadConfig(sources({ JWT_SECRET: 'x'.repeat(40), GATEWAY_CONFIG: FILE, [PARTNER_PASSWORD_ENV]: 'partner-pa55word' }, { [FILE]: yaml, [MAIN_PASSWORD_FILE]: password, '/run/secrets/other': password })).config;

describe('configChanges', () => {
  it('finds nothing between equal trees, whatever their key order', () => {
    expect(configChanges({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
  });

  it('names each added, removed and changed leaf by its dotted path, in key order', () => {
    expect(configChanges({ rateLimit: { max: 60, windowMs: 1000 }, cors: { origins: ['a'] } }, { rateLimit: { max: 90, ipMax: 5 }, cors: { origins: ['a', 'b'] } })).toEqual([
      { setting: 'cors.origins', change: 'changed', restartOnly: true },
      { setting: 'rateLimit.ipMax', change: 'added', restartOnly: false },
      { setting: 'rateLimit.max', change: 'changed', restartOnly: false },
      { setting: 'rateLimit.windowMs', change: 'removed', restartOnly: false },
    ]);
  });

  it('names the settings of a section added or removed, and an empty section itself', () => {
    expect(configChanges({ regions: { a: { drsEndpoint: 'x' } } }, { regions: { b: {} } })).toEqual([
      { setting: 'regions.a.drsEndpoint', change: 'removed', restartOnly: false },
      { setting: 'regions.b', change: 'added', restartOnly: false },
    ]);
  });

  it('treats a setting that turns from a section into a value as changed', () => {
    expect(configChanges({ redis: { url: 'redis://a' } }, { redis: 'redis://a' })).toEqual([{ setting: 'redis', change: 'changed', restartOnly: true }]);
  });

  it('sees a rotated secret in the effective configurations by name, and only its reference in the redacted views', () => {
    const yaml = gatewayYaml();
    const running = load(yaml, 'first-pa55word');
    const rotated = load(yaml, 'second-pa55word');
    const changes = configChanges(running, rotated);
    expect(changes).toEqual([{ setting: 'credentials.main.password', change: 'changed', restartOnly: false }]);
    expect(JSON.stringify(changes)).not.toContain('pa55word');
    expect(configChanges(redactConfig(running), redactConfig(rotated))).toEqual([]);
    const moved = load(gatewayYaml({ passwordFile: '/run/secrets/other' }), 'first-pa55word');
    expect(configChanges(redactConfig(running), redactConfig(moved))).toEqual([{ setting: 'credentials.main.passwordFile', change: 'changed', restartOnly: false }]);
  });
});

describe('isRestartOnly', () => {
  it('holds for a restart-only setting, anything under it and a section holding one, and for nothing else', () => {
    expect(['server', 'server.port', 'rateLimit.onStoreError', 'redis.sentinel.name', 'rateLimit'].map(isRestartOnly)).toEqual([true, true, true, true, true]);
    expect(['rateLimit.max', 'rateLimit.tiers', 'regions.cn-north-4', 'credentials.main.password', 'serverless', 'rateLimit.onStoreErrorX'].map(isRestartOnly)).toEqual([false, false, false, false, false, false]);
  });
});
