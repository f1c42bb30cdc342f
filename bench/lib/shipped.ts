// What the chaos run and the soak take from what ships rather than retyping it: the Deployment's memory limit, and the image's
// environment that shapes the gateway's memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './paths';

interface ContainerDoc {
  kind?: string;
  spec?: { template?: { spec?: { containers?: Array<{ name?: string; resources?: { limits?: { memory?: string } } }> } } };
}

/** The gateway container's memory limit in deploy/kubernetes/deployment.yaml, in MiB (the manifest writes `<n>Mi`). */
export const deploymentMemoryLimitMib = (): number => {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy', 'kubernetes', 'deployment.yaml'), 'utf8')).map((doc) => doc.toJS() as ContainerDoc);
  const container = docs.find((doc) => doc.kind === 'Deployment')?.spec?.template?.spec?.containers?.find((candidate) => candidate.name === 'gateway');
  const limit = container?.resources?.limits?.memory;
  const mib = /^(\d+)Mi$/.exec(limit ?? '')?.[1];
  if (mib === undefined) throw new Error(`deployment.yaml: the gateway container's memory limit is "${limit ?? 'missing'}", not <n>Mi`);
  return Number(mib);
};

/** The final stage's ENV settings of the Dockerfile that are named in `names`. */
export const imageEnv = (names: readonly string[]): Record<string, string> => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const pairs = [...finalStage.matchAll(/^ENV\s+(.+)$/gm)].flatMap((match) => (match[1] ?? '').trim().split(/\s+/)).map((pair) => pair.split('='));
  const found = Object.fromEntries(pairs.filter(([name, value]) => name !== undefined && value !== undefined && names.includes(name)));
  const missing = names.filter((name) => !Object.hasOwn(found, name));
  if (missing.length > 0) throw new Error(`the Dockerfile's final stage sets no ${missing.join(', ')}`);
  return found as Record<string, string>;
};
