// The node flags `npm start` gives the gateway, read from package.json so the bench and the tests run what ships.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths';

/** `node <flags> dist/main.js` → the flags; a start script of any other form is refused. */
export const gatewayNodeFlags = (): string[] => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string | undefined> };
  const words = scripts.start?.trim().split(/\s+/) ?? [];
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new Error(`the start script must be "node [flags] dist/main.js", got "${words.join(' ')}"`);
  return words.slice(1, -1);
};
