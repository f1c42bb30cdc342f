// Derives a stable 32-hex ID from a name, so a user, domain or project keeps one ID across tokens.
import { createHash } from 'node:crypto';

export const stableId = (kind: string, name: string): string =>
  createHash('md5').update(`${kind}:${name}`).digest('hex');
