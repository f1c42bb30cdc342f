// A RedisLogger that keeps what it is told, so tests can count warnings and search them for secrets.
import type { RedisLogger } from '../../src/redis';

export interface LogLine {
  level: 'warn' | 'info';
  obj: object;
  msg: string;
}

export const recordingLogger = (): RedisLogger & { lines: LogLine[]; text(): string; count(level: LogLine['level']): number } => {
  const lines: LogLine[] = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    text: () => JSON.stringify(lines),
    count: (level) => lines.filter((line) => line.level === level).length,
  };
};
