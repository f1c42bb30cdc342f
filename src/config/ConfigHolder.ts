// The running configuration and its version; reload() replaces it all or nothing, preview() says what it would change, and listeners rebuild what depends on it.
import { systemClock, type Clock } from '../clock';
import { ConfigError, type ConfigProblem } from './ConfigError';
import { configChanges, type ConfigChange } from './configChanges';
import { configHash, configVersion, type ConfigVersion } from './configVersion';
import { loadConfig, type ConfigSources, type LoadedConfig } from './loadConfig';
import { restartOnlyProblems } from './restartOnlyProblems';
import type { GatewayConfig } from './schema';
import { settingProblems, type SettingProblem } from './settingProblems';

export interface RunningConfig {
  readonly config: GatewayConfig;
  readonly version: ConfigVersion;
}

export type ReloadResult = { ok: true; running: RunningConfig } | { ok: false; problems: readonly ConfigProblem[]; running: RunningConfig };

/** What a reload would do, found without doing it: the version it would run and every setting it would change. */
export type PreviewResult = { ok: true; hash: string; changes: ConfigChange[] } | { ok: false; problems: readonly ConfigProblem[] };

/** Who asked for a reload: SIGHUP, or POST /admin/config/reload. */
export type ReloadSource = 'signal' | 'route';

/** The outcome of the latest reload, as GET /admin/config shows it (`null` before the first). */
export type LastReload =
  | { outcome: 'success'; at: string; source: ReloadSource; version: { hash: string } }
  | { outcome: 'failure'; at: string; source: ReloadSource; problems: SettingProblem[] };

/**
 * A reason to refuse a configuration that loads fine but that this running process cannot apply (e.g. a region
 * that needs the embedded simulator when none was started). Pure: it must not change anything.
 */
export type ReloadCheck = (next: GatewayConfig, running: GatewayConfig) => readonly ConfigProblem[];

/** Called, synchronously and in subscription order, once a new configuration is running; it must not throw. */
export type ConfigListener = (running: RunningConfig, previous: RunningConfig) => void;

export interface ConfigHolderOptions {
  /** What the process started with. */
  loaded: LoadedConfig;
  /** Where a reload reads again (the file, `*_FILE` and `passwordFile` secrets); absent: a reload re-applies `loaded`. */
  sources?: ConfigSources;
  /** Dates `loadedAt`. */
  clock?: Clock;
}

export class ConfigHolder {
  private running: RunningConfig;
  private fileSettings: LoadedConfig['fileSettings'];
  private readonly load: () => LoadedConfig;
  private readonly clock: Clock;
  private readonly checks: ReloadCheck[] = [];
  private readonly changeListeners = new Set<ConfigListener>();
  private readonly reloadListeners = new Set<(result: ReloadResult) => void>();
  /** Reloads (and previews) run one after the other: two at once would each compare against a configuration about to be replaced. */
  private queue: Promise<unknown> = Promise.resolve();
  private last: LastReload | null = null;

  constructor({ loaded, sources, clock = systemClock }: ConfigHolderOptions) {
    this.clock = clock;
    this.running = { config: loaded.config, version: configVersion(loaded.config, clock.now()) };
    this.fileSettings = loaded.fileSettings;
    // A generated (sandbox) secret is the running one: a new one would sign every caller out, and refuse the reload.
    this.load = sources ? () => loadConfig({ ...sources, generateSecret: () => this.running.config.jwt.secret ?? sources.generateSecret() }) : () => loaded;
  }

  current(): RunningConfig {
    return this.running;
  }

  lastReload(): LastReload | null {
    return this.last;
  }

  /** Adds a reason to refuse a reload; returns its removal. */
  addCheck(check: ReloadCheck): () => void {
    this.checks.push(check);
    return () => {
      const index = this.checks.indexOf(check);
      if (index >= 0) this.checks.splice(index, 1);
    };
  }

  /** `listener` runs on every successful reload (also when only a secret changed); returns its removal. */
  onChange(listener: ConfigListener): () => void {
    this.changeListeners.add(listener);
    return () => void this.changeListeners.delete(listener);
  }

  /** `listener` hears every reload's outcome, refused ones included (metrics); returns its removal. */
  onReload(listener: (result: ReloadResult) => void): () => void {
    this.reloadListeners.add(listener);
    return () => void this.reloadListeners.delete(listener);
  }

  /**
   * Reads the configuration again and runs it when valid: every problem (invalid settings, restart-only settings
   * changed, a check's refusal) refuses it as a whole and the running configuration stays.
   */
  reload(source: ReloadSource): Promise<ReloadResult> {
    return this.enqueue(() => this.reloadNow(source));
  }

  /**
   * What reload() would answer, applying nothing: no listener hears of it, the version and lastReload stay. The
   * changes compare the effective configurations, so a rotated secret is named (never shown).
   */
  preview(): Promise<PreviewResult> {
    return this.enqueue(() => {
      const evaluated = this.evaluate();
      if (!evaluated.ok) return evaluated;
      return { ok: true, hash: configHash(evaluated.next.config), changes: configChanges(this.running.config, evaluated.next.config) };
    });
  }

  private enqueue<T>(task: () => T): Promise<T> {
    const attempt = this.queue.then(task);
    this.queue = attempt.catch(() => undefined);
    return attempt;
  }

  private reloadNow(source: ReloadSource): ReloadResult {
    const result = this.attempt();
    const at = new Date(this.clock.now()).toISOString();
    this.last = result.ok
      ? { outcome: 'success', at, source, version: { hash: result.running.version.hash } }
      : { outcome: 'failure', at, source, problems: settingProblems(result.problems) };
    for (const listener of this.reloadListeners) listener(result);
    return result;
  }

  /** Loads the sources again and checks the result against the running configuration; changes nothing. */
  private evaluate(): { ok: true; next: LoadedConfig } | { ok: false; problems: readonly ConfigProblem[] } {
    const previous = this.running;
    let next: LoadedConfig;
    try {
      next = this.load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // The file's restart-only changes are still worth naming: the operator fixes everything in one go.
      const file = error.fileSettings ?? this.fileSettings;
      const restart = restartOnlyProblems({ config: previous.config, file: this.fileSettings }, { config: previous.config, file });
      return { ok: false, problems: [...error.problems, ...restart] };
    }
    const problems = [
      ...restartOnlyProblems({ config: previous.config, file: this.fileSettings }, { config: next.config, file: next.fileSettings }),
      ...this.checks.flatMap((check) => check(next.config, previous.config)),
    ];
    return problems.length > 0 ? { ok: false, problems } : { ok: true, next };
  }

  private attempt(): ReloadResult {
    const previous = this.running;
    const evaluated = this.evaluate();
    if (!evaluated.ok) return { ok: false, problems: evaluated.problems, running: previous };
    const { next } = evaluated;
    // `loadedAt` is new on every reload, even two within one millisecond: tools tell reloads apart by it.
    const loadedAtMs = Math.max(this.clock.now(), Date.parse(previous.version.loadedAt) + 1);
    this.running = { config: next.config, version: configVersion(next.config, loadedAtMs) };
    this.fileSettings = next.fileSettings;
    for (const listener of this.changeListeners) listener(this.running, previous);
    return { ok: true, running: this.running };
  }
}
