// The parts of a running process and their shutdown: each closes after every part that uses it, independent ones together, each within its deadline.
import { withDeadline } from '../time/withDeadline';

export interface Part {
  /** Names the part in other parts' `dependsOn` and in the line logged when its close is cut short. */
  readonly name: string;
  /** Parts this one uses while it runs: each of them closes only once this one has. */
  readonly dependsOn?: readonly string[];
  /** How long `close` may take before the shutdown goes on without it; read when the close starts (a reload may change it). */
  readonly closeWithinMs: number | (() => number);
  close(): Promise<void> | void;
}

export interface CloseReport {
  /** The parts whose close failed or ran out of time, in the order they settled. */
  cutShort: string[];
}

export interface PartsLogger {
  warn(obj: object, msg: string): void;
}

const deadlineOf = (part: Part): number => (typeof part.closeWithinMs === 'number' ? part.closeWithinMs : part.closeWithinMs());

/**
 * Parts are added in the order they are built, and a part may depend only on parts added before it, so the order is
 * a dependency order and no cycle can be written. Closing walks it backwards: unlike avvio's onClose hooks, which run
 * one after another in reverse order of registration, parts that do not depend on each other close at the same time.
 */
export class Parts {
  private readonly parts: Part[] = [];
  private closing: Promise<CloseReport> | undefined;

  constructor(private readonly logger: PartsLogger) {}

  /** Throws on a name already taken, on a dependency not added yet, and once closing has begun. */
  add(part: Part): void {
    if (this.closing) throw new Error(`part ${part.name} added after the shutdown began`);
    if (this.parts.some((known) => known.name === part.name)) throw new Error(`part ${part.name} is added twice`);
    const missing = (part.dependsOn ?? []).filter((name) => !this.parts.some((known) => known.name === name));
    if (missing.length > 0) throw new Error(`part ${part.name} depends on ${missing.join(', ')}, not added before it`);
    this.parts.push(part);
  }

  /** The parts added so far, in order: what a part that uses all of them depends on. */
  names(): string[] {
    return this.parts.map((part) => part.name);
  }

  /**
   * Closes every part once every part that uses it has closed or run out of time; a close that fails or overruns is
   * logged and the shutdown goes on. Resolves when every part is settled; calling it again returns the same promise.
   */
  close(): Promise<CloseReport> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  /** The longest the whole close can take: the slowest chain of deadlines, from a part nothing uses down the parts it uses. */
  longestCloseMs(): number {
    const finishedBy = new Map<string, number>();
    for (const part of [...this.parts].reverse()) {
      const after = Math.max(0, ...this.usersOf(part).map((user) => finishedBy.get(user.name) ?? 0));
      finishedBy.set(part.name, after + deadlineOf(part));
    }
    return Math.max(0, ...finishedBy.values());
  }

  private usersOf(part: Part): Part[] {
    return this.parts.filter((other) => other.dependsOn?.includes(part.name));
  }

  private async closeAll(): Promise<CloseReport> {
    const cutShort: string[] = [];
    const settled = new Map<string, Promise<void>>();
    // Reverse order of addition: every user of a part was added after it, so its promise already exists.
    for (const part of [...this.parts].reverse()) {
      const users = this.usersOf(part).map((user) => settled.get(user.name));
      settled.set(
        part.name,
        Promise.all(users).then(async () => {
          if (!(await this.closeOne(part))) cutShort.push(part.name);
        }),
      );
    }
    await Promise.all(settled.values());
    return { cutShort };
  }

  /** Whether the part closed in time. */
  private async closeOne(part: Part): Promise<boolean> {
    let deadlineMs: number | undefined;
    try {
      deadlineMs = deadlineOf(part);
      await withDeadline(async () => part.close(), deadlineMs);
      return true;
    } catch (error) {
      this.logger.warn({ part: part.name, deadlineMs, reason: (error as Error).message }, 'shutdown step cut short');
      return false;
    }
  }
}
