// The system under test: 3 gateways behind HAProxy, Redis (master, replica, 3 sentinels), the simulator as DRS and
// IAM, and a fault proxy in front of every Redis node, of IAM and of DRS.
//
// Where the Redis proxies sit: one proxy per Redis node, and every node announces its proxy's address
// (`replica-announce-ip/port`), while the sentinels monitor the master at its proxy's address. So the addresses the
// sentinels hand out are the proxies', whichever node is master after a failover, and every path to a node (the
// gateways', the sentinels' pings, the replication link) crosses that node's proxy, as every path to a real node
// crosses its network link. The gateways reach the sentinels directly: discovery stays up while a node's link fails.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackage } from '../../test/support/ensureDebianPackage';
import { ensureRedisInstalled, freePort, sendRedisCommand, throwAwayServerArgs } from '../../test/support/redis';
import { startFaultProxy, type FaultProxy } from './faultProxy';
import { httpOk, waitFor, type Managed, type ProcessGroup } from './processes';
import { ROOT } from '../../bench/lib/paths';
import { gatewayNodeFlags } from '../../bench/lib/startCommand';
import { createMemoryCgroup, launchIn } from '../../bench/lib/memoryCgroup';
import { deploymentMemoryLimitMib, imageEnv } from '../../bench/lib/shipped';

export const MASTER_NAME = 'chaos-master';
export const JWT_SECRET = 'chaos-experiment-jwt-secret-0123456789abcdef';
export const PROJECT = '054ba152d480d55b2f5dc0069e7ddef0';

/** The prober's tier: the limit the checker holds the gateways to. */
export const PROBE_TIER = { name: 'probe', scope: 'chaos:probe', max: 20, windowMs: 5_000 } as const;

export interface RedisNode {
  name: string;
  port: number;
  proxy: FaultProxy;
  process: Managed | undefined;
}

export interface GatewayInstance {
  name: string;
  port: number;
  process(): Managed | undefined;
  start(): Promise<void>;
  /** SIGTERM by PID and wait for the drained exit. */
  stop(): Promise<void>;
}

export interface Topology {
  url: string;
  simulatorUrl: string;
  drsProxy: FaultProxy;
  iamProxy: FaultProxy;
  redisNodes: RedisNode[];
  sentinelPorts: number[];
  gateways: GatewayInstance[];
  /** Each gateway's memory: its own cgroup with the Deployment's limit, or why the machine gave none. */
  gatewayMemory: string;
  /** The node the sentinels call master now. */
  currentMaster(): Promise<RedisNode>;
  killRedisNode(node: RedisNode): Promise<void>;
  /**
   * Starts a killed node again, empty, on its port, as a replica of `master`: as an operator would, rather than let it
   * come back as a master the sentinels convert some seconds later.
   */
  restartRedisNode(node: RedisNode, master: RedisNode): Promise<void>;
  /** Rewrites the reloadable part of the configuration file (DRS timeout), so a SIGHUP has something to apply. */
  writeReloadableConfig(drsTimeoutMs: number): void;
  stop(): Promise<void>;
}

export const ensureHaproxy = (): string =>
  ensureDebianPackage({
    pkg: 'haproxy',
    binaries: ['haproxy'],
    howToInstall: 'haproxy is required for the chaos experiment: install it with `sudo apt-get install haproxy` (Debian/Ubuntu)',
  }).haproxy;

const redisArgs = (port: number, dir: string, announcePort: number, replicaOf?: number): string[] => [
  ...throwAwayServerArgs(port, dir),
  '--replica-announce-ip', '127.0.0.1',
  '--replica-announce-port', String(announcePort),
  ...(replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(replicaOf)]),
  // A replica that (re)joins gets its copy at once rather than after diskless sync's default 5 s wait for company.
  '--repl-diskless-sync-delay', '0',
];

const sentinelConfig = (port: number, dir: string, masterProxyPort: number): string =>
  [
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode no',
    `dir ${dir}`,
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterProxyPort} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
    `sentinel failover-timeout ${MASTER_NAME} 10000`,
    `sentinel parallel-syncs ${MASTER_NAME} 1`,
    '',
  ].join('\n');

const haproxyConfig = (port: number, gateways: readonly { name: string; port: number }[]): string =>
  [
    'global',
    '  maxconn 4000',
    '  log stdout format raw local0',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  timeout connect 2s',
    '  timeout client 90s',
    '  timeout server 90s',
    // One request per server connection: a gateway closing an idle keep-alive connection can never race a request.
    '  option http-server-close',
    // Only a connection that failed to open is retried elsewhere: the request never left (haproxy's default retry-on).
    '  retries 2',
    '  option redispatch',
    'frontend chaos',
    `  bind 127.0.0.1:${port}`,
    '  default_backend gateways',
    'backend gateways',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    // A check answered late is not a gateway down: on a loaded 2-core machine a /readyz may take a second. A drain is
    // seen within 3 checks (SHUTDOWN_DELAY_MS covers them).
    '  timeout check 2s',
    '  default-server inter 500 fall 3 rise 2',
    ...gateways.map((gateway) => `  server ${gateway.name} 127.0.0.1:${gateway.port} check`),
    '',
  ].join('\n');

const redisAnswers = (port: number): Promise<boolean> => sendRedisCommand(port, ['PING']).then((reply) => reply === 'PONG');

export interface TopologyOptions {
  gateways: number;
  /** redis.waitReplicas for the gateways; undefined: their default (1 with Sentinel). 0 shows what it prevents. */
  waitReplicas?: number;
}

export const startTopology = async (group: ProcessGroup, dir: string, options: TopologyOptions): Promise<Topology> => {
  const haproxyBinary = ensureHaproxy();
  const { server: redisServer } = ensureRedisInstalled();
  const node = process.execPath;
  const stops: Array<() => Promise<void>> = [];
  const stopEverything = async (): Promise<void> => {
    await group.stopAll();
    for (const stop of stops.reverse()) await stop();
  };
  try {
    // The simulator: DRS and IAM, through a proxy each.
    const simulatorPort = await freePort();
    const simulator = group.start('simulator', node, [join(ROOT, 'dist', 'simulator', 'main.js')], {
      env: { PATH: process.env.PATH, SIMULATOR_PORT: String(simulatorPort), SIMULATOR_HOST: '127.0.0.1' },
      logFile: join(dir, 'simulator.log'),
    });
    const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
    await waitFor('simulator', () => httpOk(`${simulatorUrl}/__sim/faults`), 20_000, simulator);
    const drsProxy = await startFaultProxy('drs', simulatorPort);
    const iamProxy = await startFaultProxy('iam', simulatorPort);
    stops.push(drsProxy.stop, iamProxy.stop);

    // Redis: master and replica, each behind its own proxy, announcing the proxy's port.
    const redisNodes: RedisNode[] = [];
    for (const name of ['redis-a', 'redis-b']) {
      const port = await freePort();
      const proxy = await startFaultProxy(name, port);
      stops.push(proxy.stop);
      redisNodes.push({ name, port, proxy, process: undefined });
    }
    const [first, second] = redisNodes as [RedisNode, RedisNode];
    const launchRedis = async (target: RedisNode, replicaOf?: number): Promise<void> => {
      // Each node its own data folder: a restarted node must not load another node's dump.
      const dataDir = join(dir, `${target.name}-data`);
      mkdirSync(dataDir, { recursive: true });
      target.process = group.start(target.name, redisServer, redisArgs(target.port, dataDir, target.proxy.port, replicaOf), { logFile: join(dir, `${target.name}.log`) });
      await waitFor(target.name, () => redisAnswers(target.port), 10_000, target.process);
    };
    await launchRedis(first);
    await launchRedis(second, first.proxy.port);
    await waitFor('replica in sync', async () => (await sendRedisCommand(second.port, ['INFO', 'replication'])).includes('master_link_status:up'), 15_000);

    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const config = join(dir, `sentinel-${i}.conf`);
      writeFileSync(config, sentinelConfig(port, dir, first.proxy.port));
      const sentinel = group.start(`sentinel-${i}`, redisServer, [config, '--sentinel'], { logFile: join(dir, `sentinel-${i}.log`) });
      await waitFor(`sentinel-${i}`, () => redisAnswers(port), 10_000, sentinel);
      sentinelPorts.push(port);
    }
    // Every sentinel must know the replica and the other sentinels before a failover can be agreed.
    await waitFor(
      'sentinels agree',
      async () => {
        for (const port of sentinelPorts) {
          const info = await sendRedisCommand(port, ['INFO', 'sentinel']);
          if (!/slaves=1,sentinels=3/.test(info)) return false;
        }
        return true;
      },
      30_000,
    );

    const nodeByProxyPort = (proxyPort: number): RedisNode => {
      const found = redisNodes.find((candidate) => candidate.proxy.port === proxyPort);
      if (!found) throw new Error(`the sentinels name an unknown master port ${proxyPort}`);
      return found;
    };
    const currentMaster = async (): Promise<RedisNode> => {
      // INFO rather than SENTINEL get-master-addr-by-name: the harness's one-shot client reads no array replies.
      const info = await sendRedisCommand(sentinelPorts[0] as number, ['INFO', 'sentinel'], 2_000);
      const port = Number(/address=127\.0\.0\.1:(\d+)/.exec(info)?.[1]);
      return nodeByProxyPort(port);
    };

    // The gateways.
    const configFile = join(dir, 'gateway.yaml');
    // Written to a temporary file and renamed, as configuration tools do: a reader never sees it half-written.
    const writeReloadableConfig = (drsTimeoutMs: number): void => {
      writeFileSync(
        `${configFile}.next`,
        [
          'redis:',
          '  sentinel:',
          `    name: ${MASTER_NAME}`,
          '    sentinels:',
          ...sentinelPorts.map((port) => `      - { host: 127.0.0.1, port: ${port} }`),
          ...(options.waitReplicas === undefined ? [] : [`  waitReplicas: ${options.waitReplicas}`]),
          'drs:',
          `  timeoutMs: ${drsTimeoutMs}`,
          'rateLimit:',
          '  tiers:',
          `    - { name: ${PROBE_TIER.name}, scope: "${PROBE_TIER.scope}", max: ${PROBE_TIER.max}, windowMs: ${PROBE_TIER.windowMs} }`,
          '',
        ].join('\n'),
      );
      renameSync(`${configFile}.next`, configFile);
    };
    writeReloadableConfig(5_000);
    const tokenCacheKey = randomBytes(32).toString('base64');
    // As the image runs it: its node flags and its malloc settings, on which RSS under overload depends.
    const gatewayArgs = [...gatewayNodeFlags(), join(ROOT, 'dist', 'main.js')];
    const gatewayEnv = (port: number): NodeJS.ProcessEnv => ({
      ...imageEnv(['MALLOC_ARENA_MAX']),
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      GATEWAY_CONFIG: configFile,
      DRS_ENDPOINT: `http://127.0.0.1:${drsProxy.port}`,
      IAM_ENDPOINT: `http://127.0.0.1:${iamProxy.port}`,
      IAM_TIMEOUT_MS: '2000',
      JWT_SECRET,
      TOKEN_CACHE_KEY: tokenCacheKey,
      RATE_LIMIT_MAX: '1000000',
      IP_RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_ON_STORE_ERROR: 'closed',
      SHUTDOWN_DELAY_MS: '2500',
      PRECHECK_POLL_INTERVAL_MS: '1000',
      LOG_LEVEL: 'info',
      OTEL_SDK_DISABLED: 'true',
    });
    const gateways: GatewayInstance[] = [];
    // One cgroup per gateway with its pod's limit, as in the Deployment: node sizes its heap from it, the kernel enforces it.
    const limitMib = deploymentMemoryLimitMib();
    let gatewayMemory = `each gateway in its own memory cgroup limited to the Deployment's ${limitMib} MiB`;
    for (let i = 0; i < options.gateways; i += 1) {
      const name = `gateway-${i + 1}`;
      const port = await freePort();
      const podMemory = createMemoryCgroup(`drs-chaos-${name}`, limitMib);
      const cgroup = 'cgroup' in podMemory ? podMemory.cgroup : undefined;
      if (cgroup) stops.push(async () => cgroup.remove());
      else if ('unavailable' in podMemory) gatewayMemory = `gateways not in memory cgroups (${podMemory.unavailable}): node sized their heaps from the machine's memory`;
      const launch = launchIn(cgroup, node, gatewayArgs);
      let current: Managed | undefined;
      const instance: GatewayInstance = {
        name,
        port,
        process: () => current,
        start: async () => {
          current = group.start(name, launch.command, launch.args, { env: gatewayEnv(port), logFile: join(dir, `${name}.log`) });
          await waitFor(name, () => httpOk(`http://127.0.0.1:${port}/readyz`), 30_000, current);
        },
        stop: async () => {
          await current?.stop({ graceMs: 30_000 });
          current = undefined;
        },
      };
      gateways.push(instance);
    }
    await Promise.all(gateways.map((gateway) => gateway.start()));

    const haproxyPort = await freePort();
    const haproxyFile = join(dir, 'haproxy.cfg');
    writeFileSync(haproxyFile, haproxyConfig(haproxyPort, gateways));
    const haproxy = group.start('haproxy', haproxyBinary, ['-f', haproxyFile, '-db'], { logFile: join(dir, 'haproxy.log') });
    const url = `http://127.0.0.1:${haproxyPort}`;
    await waitFor('haproxy', () => httpOk(`${url}/readyz`), 15_000, haproxy);

    return {
      url,
      simulatorUrl,
      drsProxy,
      iamProxy,
      redisNodes,
      sentinelPorts,
      gateways,
      gatewayMemory,
      currentMaster,
      killRedisNode: async (target) => {
        await target.process?.stop({ signal: 'SIGKILL' });
        target.process = undefined;
      },
      restartRedisNode: (target, master) => launchRedis(target, master.proxy.port),
      writeReloadableConfig,
      stop: stopEverything,
    };
  } catch (error) {
    await stopEverything();
    throw error;
  }
};
