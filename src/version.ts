// The gateway's version, read once from package.json (one directory above both src/ and dist/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GATEWAY_VERSION: string = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
