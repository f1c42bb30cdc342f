// Starts a throw-away three-master Redis Cluster on free 127.0.0.1 ports and waits until every node reports it healthy.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureRedisInstalled } from './ensureRedisInstalled';
import { freePort } from './freePort';
import { sendRedisCommand } from './sendRedisCommand';
import { spawnRedisServer, throwAwayServerArgs, type RedisChild } from './spawnRedisServer';

export interface RedisClusterProcess {
  nodes: Array<{ host: '127.0.0.1'; port: number }>;
  pids(): number[];
  /** Abrupt SIGKILL of one master, as in "a Redis node died mid-load". */
  killNode(index: number): Promise<void>;
  /** Starts a killed master again on its port with its cluster config; resolves once the cluster is healthy. */
  restartNode(index: number): Promise<void>;
  /** Kills every node and removes their files; safe to call twice. */
  stop(): Promise<void>;
}

const MASTERS = 3;
const START_ATTEMPTS = 5;
const HEALTHY_TIMEOUT_MS = 10_000;

const run = promisify(execFile);

/** `run` numbers the log file, so a restarted node's readiness is read from its own log, not the old one's. */
const launchNode = (server: string, dir: string, port: number, run = 0): Promise<RedisChild> => {
  const logFile = join(dir, `redis-${port}-${run}.log`);
  return spawnRedisServer({
    server,
    port,
    logFile,
    args: [
      ...throwAwayServerArgs(port, dir, logFile),
      '--cluster-enabled', 'yes',
      '--cluster-config-file', `nodes-${port}.conf`,
      '--cluster-node-timeout', '2000',
    ],
  });
};

const startNode = async (server: string, dir: string): Promise<{ port: number; child: RedisChild }> => {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort({ withClusterBus: true });
    try {
      const child = await launchNode(server, dir, port);
      return { port, child };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= START_ATTEMPTS) throw error;
    }
  }
};

const waitUntilHealthy = async (ports: readonly number[]): Promise<void> => {
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  for (const port of ports) {
    let info = '';
    while (!info.includes('cluster_state:ok')) {
      if (Date.now() > deadline) throw new Error(`Redis Cluster node ${port} not healthy within ${HEALTHY_TIMEOUT_MS} ms:\n${info}`);
      info = await sendRedisCommand(port, ['CLUSTER', 'INFO']).catch(() => '');
      if (!info.includes('cluster_state:ok')) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};

export const startRedisCluster = async (): Promise<RedisClusterProcess> => {
  const { server, cli } = ensureRedisInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'drs-redis-cluster-'));
  const started: Array<{ port: number; child: RedisChild }> = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map(({ child }) => child.kill()));
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < MASTERS; i += 1) started.push(await startNode(server, dir));
    const addresses = started.map(({ port }) => `127.0.0.1:${port}`);
    await run(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 });
    await waitUntilHealthy(started.map(({ port }) => port));
  } catch (error) {
    await stop();
    throw error;
  }

  let restarts = 0;
  const nodeAt = (index: number) => {
    const node = started[index];
    if (!node) throw new Error(`no cluster node ${index}`);
    return node;
  };
  return {
    nodes: started.map(({ port }) => ({ host: '127.0.0.1', port })),
    pids: () => started.map(({ child }) => child.pid),
    killNode: (index) => nodeAt(index).child.kill(),
    restartNode: async (index) => {
      const node = nodeAt(index);
      await node.child.kill();
      restarts += 1;
      node.child = await launchNode(server, dir, node.port, restarts);
      await waitUntilHealthy(started.map(({ port }) => port));
    },
    stop,
  };
};
