// The one differ of two configurations: which settings a reload would add, remove or change, each flagged restart-only or not.
import stringify from 'safe-stable-stringify';
import { isRestartOnly } from './restartOnly';

export interface ConfigChange {
  /** Dotted path of the setting, e.g. `rateLimit.tiers` or `credentials.main.password`. */
  setting: string;
  change: 'added' | 'removed' | 'changed';
  restartOnly: boolean;
}

type Tree = Record<string, unknown>;

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

const walk = (path: string, before: unknown, after: unknown, out: ConfigChange[]): void => {
  const push = (change: ConfigChange['change']): void => void out.push({ setting: path, change, restartOnly: isRestartOnly(path) });
  // A section on one side only is walked against an empty one, so each of its settings is named; an empty section
  // (a region served by the simulators is `{}`) is then named itself.
  const treeBefore = isTree(before) || (before === undefined && isTree(after));
  const treeAfter = isTree(after) || (after === undefined && isTree(before));
  if (treeBefore && treeAfter) {
    const b = (before ?? {}) as Tree;
    const a = (after ?? {}) as Tree;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    const size = out.length;
    for (const key of keys) walk(path === '' ? key : `${path}.${key}`, b[key], a[key], out);
    if (out.length === size && path !== '' && (before === undefined) !== (after === undefined)) push(before === undefined ? 'added' : 'removed');
    return;
  }
  if (before === undefined && after === undefined) return;
  if (before === undefined) push('added');
  else if (after === undefined) push('removed');
  // A list is one setting: tiers, origins and algorithms are read as a whole.
  else if (stringify(before) !== stringify(after)) push('changed');
};

/**
 * Every setting that differs from `running` to `next`, in key order. Values are compared, never returned: given the
 * effective configurations it sees a rotated secret as `changed` by name; given two redacted views (what
 * /admin/config shows) a secret shows only when its reference (passwordFile, passwordEnv) changes.
 */
export const configChanges = (running: unknown, next: unknown): ConfigChange[] => {
  const out: ConfigChange[] = [];
  walk('', running, next, out);
  return out;
};
