// Shutdown from parts: users close before what they use, independent parts together, each bounded by its own deadline.
import { Parts, type Part } from '../../src/lifecycle/Parts';

interface Probe {
  events: string[];
  warnings: Array<Record<string, unknown>>;
  parts: Parts;
  /** A part whose close is logged when it starts and ends when `finish(name)` is called. */
  add(name: string, dependsOn?: string[], closeWithinMs?: Part['closeWithinMs']): void;
  finish(name: string): void;
}

const probe = (): Probe => {
  const events: string[] = [];
  const warnings: Array<Record<string, unknown>> = [];
  const parts = new Parts({ warn: (obj) => warnings.push(obj as Record<string, unknown>) });
  const finishers = new Map<string, () => void>();
  return {
    events,
    warnings,
    parts,
    add(name, dependsOn = [], closeWithinMs = 1_000) {
      parts.add({
        name,
        dependsOn,
        closeWithinMs,
        close: () =>
          new Promise<void>((resolve) => {
            events.push(`start ${name}`);
            finishers.set(name, () => {
              events.push(`end ${name}`);
              resolve();
            });
          }),
      });
    },
    finish(name) {
      const finish = finishers.get(name);
      if (!finish) throw new Error(`${name} has not started closing`);
      finish();
    },
  };
};

/** Lets the promise chains between parts run. */
const settle = () => jest.advanceTimersByTimeAsync(0);

describe('Parts', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('closes the parts nothing uses together, and a used part only once every part using it has closed', async () => {
    const p = probe();
    p.add('redis');
    p.add('runtime', ['redis']);
    p.add('listener', ['redis', 'runtime']);
    p.add('audit');
    const closed = p.parts.close();
    await settle();
    expect(p.events).toEqual(['start audit', 'start listener']);
    p.finish('listener');
    await settle();
    expect(p.events).toEqual(['start audit', 'start listener', 'end listener', 'start runtime']);
    p.finish('runtime');
    await settle();
    expect(p.events.slice(-2)).toEqual(['end runtime', 'start redis']);
    p.finish('redis');
    p.finish('audit');
    expect(await closed).toEqual({ cutShort: [] });
    expect(p.warnings).toEqual([]);
  });

  it('cuts a close short at its deadline, logs it, and goes on with the parts it uses', async () => {
    const p = probe();
    p.add('redis', [], 2_000);
    p.add('listener', ['redis'], 500);
    const closed = p.parts.close();
    await jest.advanceTimersByTimeAsync(499);
    expect(p.events).toEqual(['start listener']);
    await jest.advanceTimersByTimeAsync(1);
    expect(p.events).toEqual(['start listener', 'start redis']);
    expect(p.warnings).toEqual([{ part: 'listener', deadlineMs: 500, reason: 'deadline exceeded' }]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(await closed).toEqual({ cutShort: ['listener', 'redis'] });
    expect(p.warnings.map((w) => w.part)).toEqual(['listener', 'redis']);
  });

  it('logs a close that fails and still closes what it uses', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const parts = new Parts({ warn: (obj) => warnings.push(obj as Record<string, unknown>) });
    const closed: string[] = [];
    parts.add({ name: 'redis', closeWithinMs: 100, close: () => void closed.push('redis') });
    parts.add({
      name: 'tracing',
      dependsOn: ['redis'],
      closeWithinMs: 100,
      close: async () => {
        throw new Error('collector gone');
      },
    });
    expect(await parts.close()).toEqual({ cutShort: ['tracing'] });
    expect(closed).toEqual(['redis']);
    expect(warnings).toEqual([{ part: 'tracing', deadlineMs: 100, reason: 'collector gone' }]);
  });

  it('counts a part whose deadline cannot be read as cut short, its close not run, and closes what it uses all the same', async () => {
    const warnings: Array<Record<string, unknown>> = [];
    const parts = new Parts({ warn: (obj) => warnings.push(obj as Record<string, unknown>) });
    const closed: string[] = [];
    parts.add({ name: 'redis', closeWithinMs: 100, close: () => void closed.push('redis') });
    parts.add({
      name: 'listener',
      dependsOn: ['redis'],
      closeWithinMs: () => {
        throw new Error('no running configuration');
      },
      close: () => void closed.push('listener'),
    });
    expect(await parts.close()).toEqual({ cutShort: ['listener'] });
    expect(closed).toEqual(['redis']);
    expect(warnings).toEqual([{ part: 'listener', deadlineMs: undefined, reason: 'no running configuration' }]);
  });

  it('reads a deadline when the close starts, so a value changed while running counts', async () => {
    const p = probe();
    let graceMs = 100;
    p.add('listener', [], () => graceMs);
    graceMs = 300;
    const closed = p.parts.close();
    await jest.advanceTimersByTimeAsync(299);
    expect(p.warnings).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await closed;
    expect(p.warnings).toEqual([{ part: 'listener', deadlineMs: 300, reason: 'deadline exceeded' }]);
  });

  it('returns the same close to every caller', async () => {
    const p = probe();
    p.add('redis');
    const first = p.parts.close();
    expect(p.parts.close()).toBe(first);
    await settle();
    p.finish('redis');
    await first;
    expect(p.events).toEqual(['start redis', 'end redis']);
  });

  it('refuses a dependency on a part not added yet, a name added twice, and a part added once closing began', async () => {
    const p = probe();
    expect(() => p.add('listener', ['redis'])).toThrow('part listener depends on redis, not added before it');
    p.add('redis');
    expect(() => p.add('redis')).toThrow('part redis is added twice');
    void p.parts.close();
    expect(() => p.add('late')).toThrow('part late added after the shutdown began');
    await settle();
    p.finish('redis');
  });

  it('says how long the whole close can take: the slowest chain of deadlines', () => {
    const p = probe();
    p.add('redis', [], 2_000);
    p.add('runtime', [], 100);
    p.add('metrics', [], 2_000);
    p.add('listener', ['redis', 'runtime', 'metrics'], 30_000);
    p.add('reloads', ['runtime'], 50);
    expect(p.parts.longestCloseMs()).toBe(32_000);
    expect(new Parts({ warn: () => undefined }).longestCloseMs()).toBe(0);
  });
});
