// deploy/kubernetes: valid for the API server, configured with settings the loader knows and accepts in production, and drained within its kill deadline.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IService } from 'kubernetes-models/v1';
import { CONFIG_FILE_VARIABLE, fileVariableOf, knownEnvironmentNames } from '../../src/config/envVariables';
import { loadConfig, type LoadedConfig } from '../../src/config/loadConfig';
import { shutdownGraceMs } from '../../src/config/requestBudget';
import { exitDeadlineMs } from '../../src/server';
import {
  containerPort,
  environmentOf,
  gatewayContainerOf,
  kustomizationResources,
  loadManifests,
  MANIFEST_DIR,
  mountedFilesOf,
  ofKind,
  onlyOf,
  podSpecOf,
  ROOT,
  schemaProblems,
  undeclaredProbePorts,
  type Manifest,
} from './kubernetesManifests';

const manifests = loadManifests();
const deployment = onlyOf<IDeployment>(manifests, 'Deployment');
const configMaps = ofKind<IConfigMap>(manifests, 'ConfigMap');
const container = gatewayContainerOf(deployment);
const pod = podSpecOf(deployment);
const environment = environmentOf(container, configMaps);

/** What the operator puts in each Secret key with `kubectl create secret` (docs/deployment.md, "Install"), for the test. */
const TEST_SECRETS: Record<string, Record<string, string>> = {
  'drs-precheck-gateway': { 'redis-url': 'rediss://:test-only@redis.test.internal:6379\n', 'token-cache-key': `${Buffer.alloc(32, 7).toString('base64')}\n` },
  'drs-precheck-gateway-iam': { main: 'test-only-main-password\n', partner: 'test-only-partner-password\n' },
};
const secretContent = (secretName: string, key: string): string => {
  const content = TEST_SECRETS[secretName]?.[key];
  if (content === undefined) throw new Error(`the test has no content for Secret ${secretName} key ${key}`);
  return content;
};
const files = mountedFilesOf(deployment, configMaps, secretContent);
const configFile = parse(files[environment[CONFIG_FILE_VARIABLE] ?? '']?.content ?? '') as { credentials?: Record<string, { passwordFile?: string; passwordEnv?: string }> };
const credentialReferences = Object.values(configFile.credentials ?? {});

const copyOf = <T>(value: T): T => structuredClone(value);

describe('deploy/kubernetes against the Kubernetes schemas', () => {
  it('applies every manifest file of the folder through kustomization.yaml', () => {
    const files = readdirSync(MANIFEST_DIR).filter((name) => /\.ya?ml$/.test(name) && name !== 'kustomization.yaml');
    expect(kustomizationResources().sort()).toEqual(files.sort());
    expect(manifests.map((m) => m.doc.kind).sort()).toEqual(['ConfigMap', 'ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service']);
  });

  it('validates every document against its kind’s schema, types, formats and unknown fields included', () => {
    expect(schemaProblems(manifests)).toEqual([]);
  });

  it('refuses a document with a field of the wrong type', () => {
    const broken = copyOf(deployment);
    (gatewayContainerOf(broken).ports?.[0] as { containerPort: unknown }).containerPort = '8080';
    const problems = schemaProblems([{ where: 'broken', doc: broken as unknown as Manifest['doc'] }]);
    expect(problems.join('\n')).toContain('containerPort must be integer');
  });

  it('refuses a document with a field Kubernetes does not know', () => {
    const broken = copyOf(deployment) as unknown as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    const misspelt = broken.spec.template.spec.containers[0] as Record<string, unknown>;
    misspelt.readinesProbe = misspelt.readinessProbe;
    delete misspelt.readinessProbe;
    expect(schemaProblems([{ where: 'broken', doc: broken as unknown as Manifest['doc'] }]).join('\n')).toContain("'\"readinesProbe\"' does not exist");
  });

  it('refuses a kind it has no schema for rather than passing it unchecked', () => {
    expect(schemaProblems([{ where: 'odd', doc: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } } }])).toEqual(['odd: no schema for v1/Secret']);
  });
});

describe('deploy/kubernetes environment', () => {
  const passwordEnvNames = credentialReferences.flatMap((c) => (c.passwordEnv ? [c.passwordEnv] : []));

  it('sets only variables the loader reads, from env and the ConfigMaps in envFrom, and none from the namespace’s Services', () => {
    const known = new Set([...knownEnvironmentNames(), ...passwordEnvNames]);
    expect(Object.keys(environment).filter((name) => !known.has(name))).toEqual([]);
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(['NODE_ENV', 'GATEWAY_CONFIG', 'METRICS_PORT', 'SHUTDOWN_DELAY_MS']));
    expect(pod.enableServiceLinks).toBe(false);
  });

  it('would name a variable the loader does not read', () => {
    const broken = copyOf(container);
    broken.env = [...(broken.env ?? []), { name: 'REDIS_HOST', value: 'redis' }];
    const known = new Set(knownEnvironmentNames());
    expect(Object.keys(environmentOf(broken, configMaps)).filter((name) => !known.has(name))).toContain('REDIS_HOST');
  });

  it('reads every secret from a file of a mounted Secret: each *_FILE variable and each credential’s passwordFile', () => {
    const fileVariables = Object.keys(environment).filter((name) => knownEnvironmentNames().includes(name) && name.endsWith('_FILE'));
    expect(fileVariables.sort()).toEqual([fileVariableOf('REDIS_URL'), fileVariableOf('TOKEN_CACHE_KEY')]);
    const secretPaths = [...fileVariables.map((name) => environment[name]), ...credentialReferences.map((c) => c.passwordFile)];
    expect(credentialReferences.length).toBeGreaterThan(0);
    for (const path of secretPaths) expect({ path, mounted: files[path ?? '']?.secret }).toEqual({ path, mounted: true });
    for (const name of passwordEnvNames) expect({ name, set: environment[name] !== undefined }).toEqual({ name, set: true });
  });

  it('mounts the configuration file from the ConfigMap where GATEWAY_CONFIG points', () => {
    expect(files[environment[CONFIG_FILE_VARIABLE] ?? '']).toEqual({ content: expect.stringContaining('credentials:'), secret: false });
  });
});

describe('deploy/kubernetes configuration loads in production', () => {
  let dir: string;
  let loaded: LoadedConfig;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'k8s-config-'));
    for (const [path, { content }] of Object.entries(files)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    loaded = loadConfig({ env: environment, readFile: (path) => readFileSync(join(dir, path), 'utf8'), generateSecret: () => 'never used in production' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the ConfigMap’s file, the environment and the secret files with the real loader, in production mode', () => {
    const { config } = loaded;
    expect(config.nodeEnv).toBe('production');
    expect(loaded.generatedJwtSecret).toBe(false);
    expect(config.redis).toMatchObject({ url: 'rediss://:test-only@redis.test.internal:6379', tokenCacheKey: Buffer.alloc(32, 7).toString('base64') });
    expect(config.credentials.main).toMatchObject({ password: 'test-only-main-password', passwordFile: '/run/secrets/iam/main' });
    expect(config.credentials.partner).toMatchObject({ password: 'test-only-partner-password', passwordFile: '/run/secrets/iam/partner' });
    expect(Object.keys(config.regions).sort()).toEqual(['ap-southeast-1', 'cn-north-4']);
    expect(Object.keys(config.projects ?? {})).toHaveLength(2);
    expect(config.jwt).toMatchObject({ jwksUri: expect.stringMatching(/^https:/), issuer: expect.any(String), audience: expect.any(String) });
  });

  it('listens on the container’s declared ports, with /metrics on its own listener, where the Prometheus annotations point', () => {
    const { config } = loaded;
    expect(config.server.port).toBe(containerPort(container, 'http'));
    expect(config.metrics.port).toBe(containerPort(container, 'metrics'));
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.metrics.host).toBe('0.0.0.0');
    expect(deployment.spec?.template.metadata?.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(config.metrics.port), 'prometheus.io/path': '/metrics' });
    const service = onlyOf<IService>(manifests, 'Service');
    expect(service.spec?.ports?.map((p) => p.targetPort)).toEqual(['http']);
  });

  /** The preStop hook's wait: an exec of `sleep <seconds>`, the one form the manifests use. */
  const preStopMs = (): number => {
    const command = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(command).toEqual(['sleep', expect.stringMatching(/^\d+$/)]);
    return Number(command[1]) * 1000;
  };

  it('waits before SIGTERM, then gives the pod longer than preStop + SHUTDOWN_DELAY_MS + effective grace + close steps', () => {
    const { config } = loaded;
    expect(preStopMs()).toBe(5_000);
    expect(config.server.shutdownDelayMs).toBe(5_000);
    expect(shutdownGraceMs(config)).toBe(30_000);
    const deadlineMs = exitDeadlineMs(config);
    expect(deadlineMs).toBeGreaterThanOrEqual(config.server.shutdownDelayMs + shutdownGraceMs(config));
    expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(preStopMs() + deadlineMs);
  });

  it('would need a longer grace period once UPSTREAM_TIMEOUT_MS raises the effective grace', () => {
    const { config } = loadConfig({ env: { ...environment, UPSTREAM_TIMEOUT_MS: '20000' }, readFile: (path) => readFileSync(join(dir, path), 'utf8'), generateSecret: () => '' });
    expect(shutdownGraceMs(config)).toBe(5_000 + 2 * 20_000 + 5_000);
    expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeLessThan(preStopMs() + exitDeadlineMs(config));
  });
});

describe('deploy/kubernetes pod', () => {
  it('probes readiness on /readyz and liveness on /healthz through ports the container declares by name', () => {
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(undeclaredProbePorts(container)).toEqual([]);
  });

  it('would name a probe on a port the container does not declare', () => {
    const broken = copyOf(container);
    broken.livenessProbe = { httpGet: { path: '/healthz', port: 'admin' } };
    broken.readinessProbe = { httpGet: { path: '/readyz', port: 8080 } };
    expect(undeclaredProbePorts(broken)).toEqual(['readinessProbe: 8080', 'livenessProbe: admin']);
  });

  it('requests cpu and memory and limits memory above the request', () => {
    const { requests, limits } = container.resources ?? {};
    expect(requests?.cpu).toBeDefined();
    expect(requests?.memory).toMatch(/^\d+Mi$/);
    expect(limits?.memory).toMatch(/^\d+Mi$/);
    expect(parseInt(String(limits?.memory), 10)).toBeGreaterThanOrEqual(parseInt(String(requests?.memory), 10));
  });

  it('runs as the image’s non-root user on a read-only root, without privilege escalation or capabilities, under the runtime’s seccomp profile', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM ') + 1);
    // uid 1000 is the `node` user of the official node images.
    expect(finalStage).toMatch(/^FROM node:[^\n]+\n/);
    expect(finalStage).toMatch(/\nUSER node\n/);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('keeps a pod serving through voluntary disruptions and scales on cpu from 2 pods', () => {
    const selector = deployment.spec?.selector.matchLabels;
    expect(deployment.spec?.template.metadata?.labels).toMatchObject(selector ?? {});
    const budget = onlyOf<IPodDisruptionBudget>(manifests, 'PodDisruptionBudget');
    expect(budget.spec?.selector?.matchLabels).toEqual(selector);
    expect(budget.spec?.maxUnavailable).toBe(1);
    const autoscaler = onlyOf<IHorizontalPodAutoscaler>(manifests, 'HorizontalPodAutoscaler');
    expect(autoscaler.spec?.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name });
    expect(autoscaler.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(autoscaler.spec?.metrics?.map((m) => m.resource?.name)).toEqual(['cpu']);
    expect(deployment.spec?.replicas).toBeUndefined();
    expect(onlyOf<IService>(manifests, 'Service').spec?.selector).toEqual(selector);
  });
});
