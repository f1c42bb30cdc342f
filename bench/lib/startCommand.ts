// The node flags `npm start` gives the gateway, read from package.json so the bench and the tests run what ships.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';

/**
 * `exec node <flags> dist/main.js` → the flags; a start script of any other form is refused. `exec` makes the
 * shell npm runs the script in become node, so the signals npm forwards reach the gateway rather than the shell.
 */
export const gatewayNodeFlags = (): string[] => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string | undefined> };
  const words = scripts.start?.trim().split(/\s+/) ?? [];
  if (words[0] !== 'exec' || words[1] !== 'node' || words.at(-1) !== 'dist/main.js') {
    throw new Error(`the start script must be "exec node [flags] dist/main.js", got "${words.join(' ')}"`);
  }
  return words.slice(2, -1);
};
