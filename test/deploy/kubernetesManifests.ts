// Reads deploy/kubernetes as kustomize would, checks documents against the Kubernetes schemas, and derives what a pod would see.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, type IConfigMap, type IContainer, type IPodSpec } from 'kubernetes-models/v1';

export const ROOT = join(__dirname, '../..');
export const MANIFEST_DIR = join(ROOT, 'deploy/kubernetes');

export interface Manifest {
  /** The file and the document's place in it, for messages. */
  where: string;
  doc: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } & Record<string, unknown>;
}

/** The model class of every kind the folder may hold; a kind missing here is a problem, never silently unchecked. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

const typeKey = (doc: Manifest['doc']): string => `${String(doc.apiVersion)}/${String(doc.kind)}`;

export const kustomizationResources = (): string[] =>
  (parseAllDocuments(readFileSync(join(MANIFEST_DIR, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { resources: string[] }).resources;

export const loadManifests = (): Manifest[] =>
  kustomizationResources().flatMap((file) =>
    parseAllDocuments(readFileSync(join(MANIFEST_DIR, file), 'utf8')).map((document, index) => {
      if (document.errors.length > 0) throw new Error(`${file} #${index}: ${document.errors.map((e) => e.message).join('; ')}`);
      return { where: `${file} #${index}`, doc: document.toJS() as Manifest['doc'] };
    }),
  );

/** Parsed once per test file: the package's declarations do not change between checks, and parsing them is most of a check's time. */
const declarationFiles = new Map<string, ts.SourceFile>();

/**
 * kubernetes-models checks types, formats, enumerations and required fields but lets unknown fields through (a
 * `readinesProbe` would pass), which the API server refuses under kubectl's strict field validation. So every
 * document is also compiled as an object literal of the same package's interface for its kind, whose excess-property
 * check names any field Kubernetes does not know.
 */
const unknownFieldProblems = (manifests: readonly Manifest[]): string[] => {
  if (manifests.length === 0) return [];
  const file = join(ROOT, 'test/deploy/__manifests__.ts');
  const starts: number[] = [];
  let text = '';
  manifests.forEach(({ doc }, index) => {
    const line = `import type { I${String(doc.kind)} as T${index} } from 'kubernetes-models/${String(doc.apiVersion)}/${String(doc.kind)}';\nexport const doc${index}: T${index} = `;
    starts.push(text.length);
    text += `${line}${JSON.stringify(doc)};\n`;
  });
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, types: [], module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.getSourceFile = (name, language, ...rest) => {
    if (name === file) return ts.createSourceFile(name, text, language);
    const parsed = declarationFiles.get(name) ?? getSourceFile.call(host, name, language, ...rest);
    if (parsed) declarationFiles.set(name, parsed);
    return parsed;
  };
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const index = starts.findLastIndex((start) => start <= (diagnostic.start ?? 0));
    return `${manifests[index]?.where ?? file}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
};

/** Every problem the Kubernetes schemas find in the documents; empty when the API server would take them. */
export const schemaProblems = (manifests: readonly Manifest[]): string[] => {
  const problems: string[] = [];
  const known: Manifest[] = [];
  for (const manifest of manifests) {
    const Model = MODELS[typeKey(manifest.doc)];
    if (!Model) {
      problems.push(`${manifest.where}: no schema for ${typeKey(manifest.doc)}`);
      continue;
    }
    known.push(manifest);
    try {
      new Model(manifest.doc as never).validate();
    } catch (error) {
      problems.push(`${manifest.where}: ${(error as Error).message}`);
    }
  }
  return [...problems, ...unknownFieldProblems(known)];
};

export const ofKind = <T>(manifests: readonly Manifest[], kind: string): T[] => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc as T);

export const onlyOf = <T>(manifests: readonly Manifest[], kind: string): T => {
  const found = ofKind<T>(manifests, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as T;
};

export const podSpecOf = (deployment: IDeployment): IPodSpec => {
  const spec = deployment.spec?.template.spec;
  if (!spec) throw new Error('the Deployment has no pod spec');
  return spec;
};

export const gatewayContainerOf = (deployment: IDeployment): IContainer => {
  const containers = podSpecOf(deployment).containers;
  if (containers.length !== 1) throw new Error(`expected the gateway container alone, found ${containers.length}`);
  return containers[0] as IContainer;
};

const configMapNamed = (configMaps: readonly IConfigMap[], name: string): IConfigMap => {
  const found = configMaps.find((c) => c.metadata?.name === name);
  if (!found) throw new Error(`no ConfigMap ${name} in the manifests`);
  return found;
};

/**
 * The container's environment as the kubelet builds it from these manifests: envFrom ConfigMaps first, then `env`
 * (which wins). Only literal values and ConfigMap sources: a variable from a Secret or a field is refused, since a
 * secret belongs in a mounted file (`NAME_FILE`), and the loader could not be run on it here.
 */
export const environmentOf = (container: IContainer, configMaps: readonly IConfigMap[]): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef || source.prefix) throw new Error('envFrom: only ConfigMaps, without prefix');
    Object.assign(env, configMapNamed(configMaps, source.configMapRef.name ?? '').data);
  }
  for (const variable of container.env ?? []) {
    if (variable.value === undefined) throw new Error(`${variable.name}: only literal values (secrets are mounted files)`);
    env[variable.name] = variable.value;
  }
  return env;
};

/**
 * The files the container sees through its ConfigMap and Secret volumes, by path. ConfigMap files hold the manifest's
 * data; each Secret key's content comes from `secretContent`, as `kubectl create secret` would put it there.
 */
export const mountedFilesOf = (
  deployment: IDeployment,
  configMaps: readonly IConfigMap[],
  secretContent: (secretName: string, key: string) => string,
): Record<string, { content: string; secret: boolean }> => {
  const volumes = podSpecOf(deployment).volumes ?? [];
  const files: Record<string, { content: string; secret: boolean }> = {};
  for (const mount of gatewayContainerOf(deployment).volumeMounts ?? []) {
    const volume = volumes.find((v) => v.name === mount.name);
    if (mount.subPath) throw new Error(`${mount.name}: subPath mounts are never updated in place`);
    if (volume?.configMap) {
      const configMap = configMapNamed(configMaps, volume.configMap.name ?? '');
      for (const item of volume.configMap.items ?? []) {
        const content = configMap.data?.[item.key];
        if (content === undefined) throw new Error(`ConfigMap ${configMap.metadata?.name} has no key ${item.key}`);
        files[join(mount.mountPath, item.path)] = { content, secret: false };
      }
    } else if (volume?.secret) {
      if (!volume.secret.items) throw new Error(`${mount.name}: list the Secret's keys in items`);
      for (const item of volume.secret.items) files[join(mount.mountPath, item.path)] = { content: secretContent(volume.secret.secretName ?? '', item.key), secret: true };
    } else {
      throw new Error(`${mount.name}: not a ConfigMap or Secret volume`);
    }
  }
  return files;
};

/** Probe ports that are not a name the container declares (a number would bypass the declaration). */
export const undeclaredProbePorts = (container: IContainer): string[] => {
  const declared = new Set((container.ports ?? []).map((port) => port.name));
  return (['startupProbe', 'readinessProbe', 'livenessProbe'] as const).flatMap((probe) => {
    const port = container[probe]?.httpGet?.port;
    if (container[probe] === undefined) return [];
    return typeof port === 'string' && declared.has(port) ? [] : [`${probe}: ${String(port)}`];
  });
};

/** The container port of the given name. */
export const containerPort = (container: IContainer, name: string): number => {
  const port = container.ports?.find((p) => p.name === name);
  if (!port) throw new Error(`no container port named ${name}`);
  return port.containerPort;
};
