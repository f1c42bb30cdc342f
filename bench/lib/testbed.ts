// The systems under test and what they depend on: the simulator and redis-server (each its own process), an
// RS256 key pair and token, and one forked child per case, always started from dist/.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { fetchIamToken } from '../baselines/iamToken';
import { startChild, type Child } from './children';
import type { MemoryCgroup } from './memoryCgroup';
import { childScript } from './paths';
import { gatewayNodeFlags } from './startCommand';
import { startRedisServer, type RedisServer } from './redis';

export type CaseId = 'simulator' | 'http-baseline' | 'axios-baseline' | 'gateway-memory' | 'gateway-redis';

export interface CaseInfo {
  id: CaseId;
  number: number;
  label: string;
}

export const CASES: readonly CaseInfo[] = [
  { id: 'simulator', number: 1, label: 'simulator directly (the limit)' },
  { id: 'http-baseline', number: 2, label: 'Express + node:http pass-through' },
  { id: 'axios-baseline', number: 3, label: 'Express + axios pass-through' },
  { id: 'gateway-memory', number: 4, label: 'gateway, in-memory stores' },
  { id: 'gateway-redis', number: 5, label: 'gateway, Redis, every feature on' },
];

export const caseInfo = (id: CaseId): CaseInfo => CASES.find((c) => c.id === id) as CaseInfo;

export const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';
export const JOB = '140b5236-88ad-43c8-811c-1268453jb101';
export const REQUEST_PATH = `/v3/${PROJECT}/jobs/batch-precheck-result`;
export const REQUEST_BODY = JSON.stringify({ jobs: [JOB] });
const ISSUER = 'https://idp.bench.invalid';
const AUDIENCE = 'drs-precheck-gateway';
/** Limits no run can reach, so the limiters do all their work without ever refusing. */
const NEVER_LIMIT = '100000000';

export interface RequestSpec {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Testbed {
  simulator: Child;
  redis?: RedisServer;
  /** The same path and body for every case; only the credential header differs (see docs/performance.md). */
  requestFor(id: CaseId): RequestSpec;
  /** `env` adds to (or overrides) the case's environment, e.g. a setting one bench varies. */
  startSut(id: CaseId, options?: { execArgv?: string[]; env?: Record<string, string>; cgroup?: MemoryCgroup }): Promise<Child>;
  /** A bearer token (without "Bearer ") for another caller `sub`, accepted by the gateway cases. */
  tokenFor(sub: string): string;
  /** Size of the case-5 access log so far. */
  accessLogBytes(): number;
  stop(): Promise<void>;
}

const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' });

export const startTestbed = async (options: { redis: boolean; simulatorExecArgv?: string[] }): Promise<Testbed> => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const tokenFor = (sub: string): string =>
    jwt.sign({ sub, scope: 'drs:precheck', projects: [PROJECT] }, privateKey, { algorithm: 'RS256', expiresIn: '12h', issuer: ISSUER, audience: AUDIENCE });
  const bearer = tokenFor('bench-caller');
  const logDir = mkdtempSync(join(tmpdir(), 'drs-bench-logs-'));
  const accessLog = join(logDir, 'gateway-access.log');

  const simulator = await startChild('simulator', childScript('processes/simulator.js'), { env: baseEnv(), execArgv: options.simulatorExecArgv ?? [] });
  let redis: RedisServer | undefined;
  try {
    redis = options.redis ? await startRedisServer() : undefined;
  } catch (error) {
    await simulator.stop();
    throw error;
  }
  const iamToken = await fetchIamToken(simulator.url, PROJECT);

  const gatewayEnv = (withRedis: boolean): Record<string, string> => ({
    ...baseEnv(),
    HOST: '127.0.0.1',
    PORT: '0',
    DRS_ENDPOINT: simulator.url,
    IAM_ENDPOINT: simulator.url,
    JWT_PUBLIC_KEY: publicKey,
    RATE_LIMIT_MAX: NEVER_LIMIT,
    IP_RATE_LIMIT_MAX: NEVER_LIMIT,
    LOG_LEVEL: 'warn',
    ...(withRedis && {
      REDIS_URL: (redis as RedisServer).url,
      TOKEN_CACHE_KEY: randomBytes(32).toString('base64'),
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      LOG_LEVEL: 'info',
      BENCH_ACCESS_LOG: accessLog,
    }),
  });
  const baselineEnv = (): Record<string, string> => ({ ...baseEnv(), BENCH_UPSTREAM: simulator.url, BENCH_PROJECT: PROJECT });

  return {
    simulator,
    redis,
    tokenFor,
    requestFor(id) {
      const credential: Record<string, string> = id === 'simulator' ? { 'X-Auth-Token': iamToken } : { Authorization: `Bearer ${bearer}` };
      return { path: REQUEST_PATH, headers: { 'Content-Type': 'application/json', ...credential }, body: REQUEST_BODY };
    },
    async startSut(id, startOptions = {}) {
      // The gateway runs with the flags `npm start` gives it (package.json), the baselines with node's defaults.
      const execArgv = [...(id === 'gateway-memory' || id === 'gateway-redis' ? gatewayNodeFlags() : []), ...(startOptions.execArgv ?? [])];
      const { cgroup } = startOptions;
      switch (id) {
        case 'simulator':
          return simulator;
        case 'http-baseline':
          return startChild(id, childScript('baselines/httpPassThrough.js'), { env: baselineEnv(), execArgv });
        case 'axios-baseline':
          return startChild(id, childScript('baselines/axiosPassThrough.js'), { env: baselineEnv(), execArgv });
        case 'gateway-memory':
          return startChild(id, childScript('processes/gateway.js'), { env: { ...gatewayEnv(false), ...startOptions.env }, execArgv, cgroup });
        case 'gateway-redis':
          if (!redis) throw new Error('gateway-redis needs the testbed started with redis');
          return startChild(id, childScript('processes/gateway.js'), { env: { ...gatewayEnv(true), ...startOptions.env }, execArgv, cgroup });
      }
    },
    accessLogBytes() {
      try {
        return statSync(accessLog).size;
      } catch {
        return 0;
      }
    },
    async stop() {
      await simulator.stop();
      await redis?.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
};

/** One request, to check a target answers 200 with the simulator's body before it is measured. */
export const probe = async (origin: string, spec: RequestSpec): Promise<{ status: number; body: string }> => {
  const response = await fetch(`${origin}${spec.path}`, { method: 'POST', headers: spec.headers, body: spec.body });
  return { status: response.status, body: await response.text() };
};
