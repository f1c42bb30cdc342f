// Starts a DRS + IAM simulator on node:http (no framework: it must keep up with benchmarks) and returns its handle.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../clock';
import { DRS_ROUTE_TABLE, type DrsRouteTable } from '../drs/drsRouteTable';
import type { SimulatorContext } from './context';
import { createDelays } from './delays';
import { DRS_BEHAVIOUR, type DrsBehaviour } from './drsBehaviour';
import { createFaults, type Faults } from './faults';
import { simulatedDrsRoutes } from './handleDrs';
import { createRequestHandler } from './handleRequest';
import { createJobStore, type Jobs, type SimulatedJob } from './jobStore';
import { createRequestIds } from './requestIds';
import { SANDBOX_IAM_USER } from '../config/sandboxIamUser';
import type { IamUser } from './IamUser';
import { createStats, type SimulatorStats } from './stats';
import { createTokenStore } from './tokens';

export { SANDBOX_IAM_USER } from '../config/sandboxIamUser';
export type { IamUser } from './IamUser';
export type { DrsAnswer, DrsBehaviour } from './drsBehaviour';
export type { DrsFault, FaultSettings, FaultSnapshot, Faults, IamErrorShape, IamFault } from './faults';
export type { JobView, Jobs, PrecheckOutcome, SimulatedJob, StartRecord } from './jobStore';
export type { JobStatus } from './jobStatus';
export type { RecordedRequest, SimulatorStats } from './stats';

export interface SimulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 for containers. */
  host?: string;
  /** Every time the simulator reads (token expiry, pre-check progress) comes from here. */
  clock?: Clock;
  /** Default: SANDBOX_IAM_USER only. */
  users?: IamUser[];
  /** Default 24 h, as IAM. */
  tokenTtlMs?: number;
  /** Time a pre-check takes from "0%" to "100%"; default 6000. */
  precheckDurationMs?: number;
  /** Default true: any well-formed unknown job ID is a CONFIGURATION job whose pre-check passes. */
  autoCreateJobs?: boolean;
  jobs?: SimulatedJob[];
  /** Benchmarks: no request recording, counter-based request IDs. Counters still count. */
  fast?: boolean;
  /** The DRS routes served: DRS_ROUTE_TABLE, or a test's copy with rows added (each with its drsBehaviour). */
  drsRoutes?: DrsRouteTable;
  /** What DRS does on each route, by name: DRS_BEHAVIOUR, plus a behaviour for each row a test added. */
  drsBehaviour?: Readonly<Record<string, DrsBehaviour>>;
}

export interface Simulator {
  /** http://HOST:PORT, no trailing slash; both the DRS and the IAM endpoint. */
  url: string;
  port: number;
  /** Closes the server and destroys open sockets, hanging requests included. */
  stop(): Promise<void>;
  faults: Faults;
  /** A snapshot taken on each read. */
  readonly stats: SimulatorStats;
  resetStats(): void;
  jobs: Jobs;
  /** Every token issued so far stops working (DRS answers 401 APIG.0307); returns how many were still valid. */
  revokeTokens(): number;
  /**
   * Gives a known IAM user a new password, as an account admin rotating it would: the next login needs it, tokens
   * already issued stay valid. Throws for a user the simulator does not know.
   */
  setUserPassword(domain: string, name: string, password: string): void;
  issuedTokens(): number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const boundPort = (address: AddressInfo | string | null): number => {
  if (address === null || typeof address === 'string') throw new Error('simulator server is not listening on a TCP port');
  return address.port;
};

export const startSimulator = async (options: SimulatorOptions = {}): Promise<Simulator> => {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const fast = options.fast ?? false;
  const autoCreateJobs = options.autoCreateJobs ?? true;
  let url = '';
  // Copies: a rotated password must not reach the caller's objects (or the frozen sandbox user).
  const users: IamUser[] = (options.users ?? [SANDBOX_IAM_USER]).map((user) => ({ ...user }));
  const ctx: SimulatorContext = {
    clock,
    users,
    tokenTtlMs: options.tokenTtlMs ?? DAY_MS,
    precheckDurationMs: options.precheckDurationMs ?? 6000,
    autoCreateJobs,
    fast,
    tokens: createTokenStore(clock),
    jobs: createJobStore(options.jobs ?? [], autoCreateJobs),
    faults: createFaults(),
    stats: createStats(),
    delays: createDelays(),
    drsRoutes: simulatedDrsRoutes(options.drsRoutes ?? DRS_ROUTE_TABLE, options.drsBehaviour ?? DRS_BEHAVIOUR),
    nextRequestId: createRequestIds(fast),
    baseUrl: () => url,
  };

  const server = createServer(createRequestHandler(ctx));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = boundPort(server.address());
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      ctx.delays.clearAll();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopping;
  };

  return {
    url,
    port,
    stop,
    faults: ctx.faults,
    get stats() {
      return ctx.stats.snapshot();
    },
    resetStats: () => ctx.stats.reset(),
    jobs: ctx.jobs,
    revokeTokens: () => ctx.tokens.revokeAll(),
    issuedTokens: () => ctx.tokens.issuedCount(),
    setUserPassword(domain, name, password) {
      const user = users.find((candidate) => candidate.domain === domain && candidate.name === name);
      if (user === undefined) throw new Error(`the simulator knows no IAM user ${domain}/${name}`);
      user.password = password;
    },
  };
};
