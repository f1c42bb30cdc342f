// ConfigHolder: reloads all or nothing, restart-only settings refused by name, secrets re-read, the version's hash and time.
import { ConfigHolder, type ReloadResult, type RunningConfig } from '../../src/config/ConfigHolder';
import { configHash } from '../../src/config/configVersion';
import { loadConfig } from '../../src/config/loadConfig';
import { RESTART_ONLY_SETTINGS } from '../../src/config/restartOnly';
import { sources } from '../support/configSources';
import { FakeClock } from '../support/fakeClock';
import { gatewayYaml, MAIN_PASSWORD_FILE, PARTNER_PASSWORD_ENV, PROJECT_B } from '../support/gatewayYaml';
import { readRepoFile, sectionOf } from '../support/markdown';

const FILE = '/etc/gateway.yaml';
const PROJECT = PROJECT_B;
const redisYaml = (url = 'redis://redis-a:6379') => `redis: { url: ${url} }`;
const yaml = (max = 600, redisUrl?: string) => gatewayYaml({ max, extra: redisYaml(redisUrl) });

/** A holder over files the test rewrites between reloads. */
const setUp = (env: Record<string, string> = {}, secretFiles: Record<string, string> = {}) => {
  const files: Record<string, string> = { [FILE]: yaml(), [MAIN_PASSWORD_FILE]: 'first-pa55word\n', ...secretFiles };
  const input = sources({ JWT_SECRET: 'x'.repeat(40), GATEWAY_CONFIG: FILE, [PARTNER_PASSWORD_ENV]: 'partner-pa55word', ...env }, files);
  const clock = new FakeClock();
  const holder = new ConfigHolder({ loaded: loadConfig(input), sources: input, clock });
  const changes: Array<{ running: RunningConfig; previous: RunningConfig }> = [];
  const outcomes: boolean[] = [];
  holder.onChange((running, previous) => changes.push({ running, previous }));
  holder.onReload((result: ReloadResult) => outcomes.push(result.ok));
  return { files, clock, holder, changes, outcomes };
};

const refused = (result: ReloadResult) => {
  if (result.ok) throw new Error('expected the reload to be refused');
  return result.problems;
};

describe('ConfigHolder', () => {
  it('runs a valid reload: the new settings, a new hash and a new loadedAt, and tells its listeners', async () => {
    const { files, clock, holder, changes, outcomes } = setUp();
    const before = holder.current();
    expect(before.version.loadedAt).toBe(new Date(clock.now()).toISOString());

    files[FILE] = yaml(900);
    clock.advance(5_000);
    const result = await holder.reload('signal');

    expect(result.ok).toBe(true);
    const after = holder.current();
    expect(after.config.rateLimit.tiers).toEqual([{ name: 'services', scope: 'drs:precheck:bulk', max: 900 }]);
    expect(after.version.hash).not.toBe(before.version.hash);
    expect(after.version.loadedAt).toBe(new Date(clock.now()).toISOString());
    expect(changes).toEqual([{ running: after, previous: before }]);
    expect(outcomes).toEqual([true]);
  });

  it('refuses an invalid result as a whole, keeps the running configuration and reports every problem', async () => {
    const { files, holder, changes, outcomes } = setUp();
    const before = holder.current();
    files[FILE] = yaml(900).replace('passwordFile: /run/secrets/iam-main', 'password: inline-s3cr3t').replace('region: ap-southeast-1', 'region: nowhere');

    const problems = refused(await holder.reload('signal'));

    expect(problems).toEqual([
      { key: 'credentials.main.password', problem: expect.stringContaining('inline password is refused') },
      { key: `projects.${PROJECT}.region`, problem: 'names a region that is not defined in regions' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('inline-s3cr3t');
    expect(holder.current()).toBe(before);
    expect(holder.current().config.rateLimit.tiers[0]?.max).toBe(600);
    expect(changes).toEqual([]);
    expect(outcomes).toEqual([false]);
  });

  it('refuses a restart-only setting changed in the file by name, together with the other problems', async () => {
    const { files, holder } = setUp();
    const before = holder.current();
    files[FILE] = yaml(900, 'redis://redis-b:6379').replace('region: ap-southeast-1', 'region: nowhere');
    const problems = refused(await holder.reload('signal'));
    expect(problems.map((p) => p.key)).toEqual([`projects.${PROJECT}.region`, 'redis.url in GATEWAY_CONFIG']);

    files[FILE] = yaml(900, 'redis://redis-b:6379');
    expect(refused(await holder.reload('signal'))).toEqual([{ key: 'redis.url (REDIS_URL)', problem: expect.stringContaining('needs a restart') }]);
    expect(holder.current()).toBe(before);
  });

  it('refuses a restart-only setting changed in the file even while an environment variable overrides it', async () => {
    const { files, holder } = setUp({ REDIS_URL: 'redis://from-env:6379' });
    expect(holder.current().config.redis.url).toBe('redis://from-env:6379');
    files[FILE] = yaml(900, 'redis://redis-b:6379');
    expect(refused(await holder.reload('signal'))).toEqual([{ key: 'redis.url in GATEWAY_CONFIG', problem: expect.stringContaining('refused even where REDIS_URL overrides it') }]);
    expect(holder.current().config.rateLimit.tiers[0]?.max).toBe(600);
  });

  it('refuses a restart-only secret rotated in its *_FILE by name, never printing it', async () => {
    const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
    const { files, holder } = setUp({ TOKEN_CACHE_KEY_FILE: '/run/secrets/token-key' }, { '/run/secrets/token-key': key(1) });
    files['/run/secrets/token-key'] = key(2);
    const problems = refused(await holder.reload('signal'));
    expect(problems).toEqual([{ key: 'redis.tokenCacheKey (TOKEN_CACHE_KEY)', problem: expect.stringContaining('needs a restart') }]);
    expect(JSON.stringify(problems)).not.toContain(key(2));
    expect(holder.current().config.redis.tokenCacheKey).toBe(key(1));
  });

  it('re-reads rotated password files: the new passwords run, the hash stays, loadedAt moves on', async () => {
    const flat = { IAM_PASSWORD_FILE: '/run/secrets/flat', IAM_DOMAIN_NAME: 'acme', IAM_USER_NAME: 'flat-user' };
    const { files, clock, holder, changes } = setUp(flat, { '/run/secrets/flat': 'flat-first' });
    const before = holder.current();
    expect(before.config.credentials.main?.password).toBe('first-pa55word');
    expect(before.config.credentials.default?.password).toBe('flat-first');

    files[MAIN_PASSWORD_FILE] = 'second-pa55word\n';
    files['/run/secrets/flat'] = 'flat-second';
    clock.advance(1_000);
    expect((await holder.reload('signal')).ok).toBe(true);

    const after = holder.current();
    expect(after.config.credentials.main?.password).toBe('second-pa55word');
    expect(after.config.credentials.default?.password).toBe('flat-second');
    expect(after.version.hash).toBe(before.version.hash);
    expect(after.version.loadedAt).not.toBe(before.version.loadedAt);
    expect(changes).toEqual([{ running: after, previous: before }]);
  });

  it('gives a new loadedAt to every successful reload, even within one millisecond', async () => {
    const { holder } = setUp();
    const stamps = [holder.current().version.loadedAt];
    for (let i = 0; i < 3; i += 1) stamps.push(((await holder.reload('signal')) as { running: RunningConfig }).running.version.loadedAt);
    expect(new Set(stamps).size).toBe(4);
  });

  it('keeps a generated sandbox secret across reloads instead of refusing a new one', async () => {
    const input = sources({});
    let generated = 0;
    const counting = { ...input, generateSecret: () => `generated-${(generated += 1)}-`.padEnd(40, 'x') };
    const holder = new ConfigHolder({ loaded: loadConfig(counting), sources: counting });
    const secret = holder.current().config.jwt.secret;
    expect((await holder.reload('signal')).ok).toBe(true);
    expect(holder.current().config.jwt.secret).toBe(secret);
    expect(generated).toBe(1);
  });

  it('asks its checks about the next configuration, refuses what they refuse, and removes exactly the check asked', async () => {
    const { files, holder, changes } = setUp();
    const seen: number[] = [];
    const remove = holder.addCheck((next, running) => {
      seen.push(next.rateLimit.tiers[0]?.max ?? 0, running.rateLimit.tiers[0]?.max ?? 0);
      return [{ key: 'regions.cn-north-4', problem: 'cannot be applied here' }];
    });
    files[FILE] = yaml(900);
    expect(refused(await holder.reload('signal'))).toEqual([{ key: 'regions.cn-north-4', problem: 'cannot be applied here' }]);
    expect(seen).toEqual([900, 600]);
    remove();
    expect((await holder.reload('signal')).ok).toBe(true);
    expect(changes).toHaveLength(1);

    holder.addCheck(() => [{ key: 'projects', problem: 'still refused' }]);
    remove();
    expect(refused(await holder.reload('signal'))).toEqual([{ key: 'projects', problem: 'still refused' }]);
  });

  it('without sources re-applies what it started with', async () => {
    const loaded = loadConfig(sources({ JWT_SECRET: 'x'.repeat(40) }));
    const holder = new ConfigHolder({ loaded });
    const result = await holder.reload('signal');
    expect(result.ok && result.running.config).toBe(loaded.config);
  });
});

describe('the configuration hash', () => {
  it('is the same for the same settings in any key order, and differs when a non-secret setting does', () => {
    const a = loadConfig(sources({ JWT_SECRET: 'x'.repeat(40), GATEWAY_CONFIG: FILE }, { [FILE]: 'rateLimit: { max: 5, windowMs: 1000 }\ncors: { origins: [] }' })).config;
    const b = loadConfig(sources({ JWT_SECRET: 'x'.repeat(40), GATEWAY_CONFIG: FILE }, { [FILE]: 'cors: { origins: [] }\nrateLimit: { windowMs: 1000, max: 5 }' })).config;
    const c = loadConfig(sources({ JWT_SECRET: 'x'.repeat(40), GATEWAY_CONFIG: FILE }, { [FILE]: 'rateLimit: { max: 6, windowMs: 1000 }' })).config;
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(b)).toBe(configHash(a));
    expect(configHash(c)).not.toBe(configHash(a));
  });

  it('does not move with any secret', () => {
    const load = (secret: string) =>
      configHash(loadConfig(sources({ JWT_SECRET: secret.repeat(40), IAM_PASSWORD: secret, TOKEN_CACHE_KEY: Buffer.alloc(32, secret.charCodeAt(0)).toString('base64'), REDIS_URL: `redis://:${secret}@redis:6379` })).config);
    expect(load('a')).toBe(load('b'));
  });
});

describe('the restart-only list', () => {
  it('names the listeners, Redis, the token cache key and NODE_ENV', () => {
    expect(RESTART_ONLY_SETTINGS).toEqual(expect.arrayContaining(['nodeEnv', 'server', 'metrics', 'redis']));
  });

  it('lets a reload change what the runtime rebuilds: the IP limit, the DRS and IAM timeouts, the response cap, the refresh margin', async () => {
    const { files, holder } = setUp();
    files[FILE] = `${yaml()}drs: { timeoutMs: 4000, maxResponseBytes: 500000 }\niam: { timeoutMs: 3000, refreshMarginMs: 60000 }\n`.replace('rateLimit:\n', 'rateLimit:\n  ipMax: 50\n  ipWindowMs: 30000\n');
    const result = await holder.reload('signal');
    expect(result.ok).toBe(true);
    const { drs, iam, rateLimit } = holder.current().config;
    expect({ drs, iam: { timeoutMs: iam.timeoutMs, refreshMarginMs: iam.refreshMarginMs }, ip: [rateLimit.ipMax, rateLimit.ipWindowMs] }).toEqual({
      drs: { timeoutMs: 4000, maxResponseBytes: 500000 },
      iam: { timeoutMs: 3000, refreshMarginMs: 60000 },
      ip: [50, 30000],
    });
  });

  it('lets a reload change the overload thresholds, which the sampler reads from the running configuration', async () => {
    const { files, holder } = setUp();
    files[FILE] = `${yaml()}overload: { maxEventLoopDelayMs: 300, maxHeapUsedMb: 0 }\n`;
    expect((await holder.reload('signal')).ok).toBe(true);
    expect(holder.current().config.overload).toEqual({ maxEventLoopDelayMs: 300, maxHeapUsedMb: 0 });
  });

  it('is the list docs/configuration.md gives under "Restart-only settings"', () => {
    const section = sectionOf(readRepoFile('docs/configuration.md'), 'Restart-only settings');
    const named = [...section.matchAll(/^- `([^`]+)`/gm)].map((m) => (m[1] as string).replace(/\.\*$/, ''));
    expect(named.sort()).toEqual([...RESTART_ONLY_SETTINGS].sort());
  });

  it('still refuses the store-failure policy, which the stores read once', async () => {
    const { files, holder } = setUp();
    files[FILE] = yaml().replace('rateLimit:\n', 'rateLimit:\n  onStoreError: closed\n');
    expect(refused(await holder.reload('signal')).map((p) => p.key)).toEqual(['rateLimit.onStoreError (RATE_LIMIT_ON_STORE_ERROR)']);
  });
});

describe('ConfigHolder.preview', () => {
  it('answers what a reload would run and change, and changes nothing: no listener, same version, no lastReload', async () => {
    const { files, holder, changes, outcomes } = setUp();
    const before = holder.current();
    files[FILE] = yaml(900);
    files[MAIN_PASSWORD_FILE] = 'second-pa55word\n';

    const preview = await holder.preview();

    expect(preview).toEqual({
      ok: true,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      changes: [
        { setting: 'credentials.main.password', change: 'changed', restartOnly: false },
        { setting: 'rateLimit.tiers', change: 'changed', restartOnly: false },
      ],
    });
    expect(JSON.stringify(preview)).not.toContain('pa55word');
    expect(holder.current()).toBe(before);
    expect(holder.lastReload()).toBeNull();
    expect(changes).toEqual([]);
    expect(outcomes).toEqual([]);

    const reloaded = await holder.reload('route');
    expect(preview.ok && reloaded.ok && reloaded.running.version.hash).toBe(preview.ok && preview.hash);
  });

  it('refuses what a reload would refuse, with the same problems, and still changes nothing', async () => {
    const { files, holder, outcomes } = setUp();
    const before = holder.current();
    files[FILE] = yaml(900, 'redis://redis-b:6379').replace('region: ap-southeast-1', 'region: nowhere');
    const preview = await holder.preview();
    expect(preview).toEqual({ ok: false, problems: [expect.objectContaining({ key: `projects.${PROJECT}.region` }), expect.objectContaining({ key: 'redis.url in GATEWAY_CONFIG' })] });
    expect(holder.current()).toBe(before);
    expect(holder.lastReload()).toBeNull();
    expect(outcomes).toEqual([]);
    expect(await holder.reload('route')).toMatchObject({ ok: false, problems: preview.ok ? [] : preview.problems });
  });
});

describe('ConfigHolder.lastReload', () => {
  it('is null before the first reload, then the outcome, time and source of the latest, its version or its problems', async () => {
    const { files, clock, holder } = setUp();
    expect(holder.lastReload()).toBeNull();

    files[FILE] = yaml(900);
    clock.advance(1_000);
    await holder.reload('route');
    expect(holder.lastReload()).toEqual({ outcome: 'success', at: new Date(clock.now()).toISOString(), source: 'route', version: { hash: holder.current().version.hash } });

    files[FILE] = yaml(900).replace('region: ap-southeast-1', 'region: nowhere');
    clock.advance(1_000);
    await holder.reload('signal');
    expect(holder.lastReload()).toEqual({
      outcome: 'failure',
      at: new Date(clock.now()).toISOString(),
      source: 'signal',
      problems: [{ setting: `projects.${PROJECT}.region`, message: 'names a region that is not defined in regions' }],
    });
  });
});
