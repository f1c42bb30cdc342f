// docker-compose.yml runs the two regions and two accounts of config/gateway.example.yaml, with simulators that accept the gateway's credentials.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/loadConfig';
import { readUsers } from '../../src/simulator/readUsers';
import { sources } from '../support/configSources';

const ROOT = join(__dirname, '../..');

interface Service {
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const gateway = compose.services.gateway as Service;
/** `${NAME:-default}` as compose reads it with NAME unset. */
const environment = Object.fromEntries(Object.entries(gateway.environment ?? {}).map(([name, value]) => [name, String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

/** The files the gateway container sees through its read-only folder mounts. */
const containerFiles = (): Record<string, string> => {
  const files: Record<string, string> = {};
  for (const volume of gateway.volumes ?? []) {
    const [host, container] = volume.split(':') as [string, string];
    for (const name of readdirSync(join(ROOT, host))) files[`${container}/${name}`] = readFileSync(join(ROOT, host, name), 'utf8');
  }
  return files;
};

describe('docker-compose.yml', () => {
  const { config } = loadConfig(sources(environment, containerFiles()));
  const example = loadConfig(
    sources({ GATEWAY_CONFIG: '/example.yaml', IAM_PASSWORD_PARTNER: 'p', TOKEN_CACHE_KEY: Buffer.alloc(32, 1).toString('base64') }, {
      '/example.yaml': readFileSync(join(ROOT, 'config/gateway.example.yaml'), 'utf8'),
      '/run/secrets/iam-main': 'm',
    }),
  ).config;

  it('loads the compose configuration file with the regions, credentials and projects of the example, passwords by reference', () => {
    expect(Object.keys(config.regions)).toEqual(Object.keys(example.regions));
    expect(config.projects).toEqual(example.projects);
    for (const [name, credential] of Object.entries(config.credentials)) {
      const expected = example.credentials[name];
      expect({ name, domainName: credential.domainName, userName: credential.userName }).toEqual({ name, domainName: expected?.domainName, userName: expected?.userName });
      expect(credential.passwordFile ?? credential.passwordEnv).toBeDefined();
    }
    expect(Object.keys(config.credentials)).toEqual(Object.keys(example.credentials));
    expect(config.credentials.partner?.passwordEnv).toBe(example.credentials.partner?.passwordEnv);
    expect(config.rateLimit.tiers).toEqual(example.rateLimit.tiers);
  });

  it('points each region at its own simulator service, which the gateway waits for and which knows every credential with its password', () => {
    const hosts = Object.values(config.regions).map((region) => {
      const drs = new URL(region.drsEndpoint ?? '');
      expect(region.iamEndpoint).toBe(region.drsEndpoint);
      return drs;
    });
    expect(new Set(hosts.map((url) => url.hostname)).size).toBe(hosts.length);
    for (const url of hosts) {
      const simulator = compose.services[url.hostname];
      expect(simulator?.environment?.SIMULATOR_PORT).toBe(url.port);
      expect(Object.keys(gateway.depends_on ?? {})).toContain(url.hostname);
      const users = readUsers(simulator?.environment?.SIMULATOR_USERS);
      for (const credential of Object.values(config.credentials)) {
        expect(users).toContainEqual({ domain: credential.domainName, name: credential.userName, password: credential.password });
      }
    }
  });
});
